import { cancelledError } from '../../core/errors';

/**
 * Waits for a promise several callers share (a token request, a lookup), letting one caller give
 * up when its signal aborts without cancelling the work for the others.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(cancelledError('nyckel'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelledError('nyckel'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
