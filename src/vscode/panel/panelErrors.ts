// Errors as the panel shows them: one sentence and the buttons that fix it, never a stack.
import { AiFunctionsError, fixesFor, isAiFunctionsError, messageOf } from '../../core/errors';
import type { PlatformId } from '../../core/model';
import type { PlatformDescriptor } from '../../platforms/types';
import type { ErrorAction, PanelError } from '../../shared/panelProtocol';
import type { FormProblem } from '../../shared/runInput';
import { cap } from '../../shared/text';
import { keyNoun } from './panelDescriptor';


export function toPanelError(error: unknown, platform?: PlatformId): PanelError {
  const message = cap(messageOf(error), 2000);
  const kind = isAiFunctionsError(error) ? error.kind : 'unknown';
  const actions: ErrorAction[] = [...fixesFor(error), 'showLog'];
  const result: PanelError = { kind, message, actions };
  const errorPlatform = isAiFunctionsError(error) ? (error.platform ?? platform) : platform;
  if (errorPlatform) result.platform = errorPlatform;
  return result;
}

/** No key for the platform. It starts with "No " because the error card then titles it "No key set". */
export function missingKeyError(descriptor: PlatformDescriptor): PanelError {
  const { id: platform, displayName: name } = descriptor;
  const { noun, plural } = keyNoun(descriptor);
  const message = `No ${name} ${noun} ${plural ? 'are' : 'is'} set: set ${plural ? 'them' : 'one'} to run ${name} functions.`;
  return toPanelError(new AiFunctionsError('auth', message, { platform }), platform);
}

/** A form the host refused. No actions: the webview shows it at the field, where it is fixed. */
export function invalidInputError(problem: FormProblem): PanelError {
  const { field, message, line, column, offset } = problem;
  const error: PanelError = { kind: 'invalidInput', message, field, actions: [] };
  if (line !== undefined) Object.assign(error, { line, column, offset });
  return error;
}
