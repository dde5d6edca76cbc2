// Errors as the panel shows them: one sentence and the buttons that fix it, never a stack.
import { AiFunctionsError, isAiFunctionsError } from '../../core/errors';
import { PLATFORM_NAMES, type PlatformId } from '../../core/model';
import type { ErrorAction, PanelError } from '../../shared/panelProtocol';
import type { FormProblem } from '../../shared/runInput';
import { cap } from '../../shared/text';

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function toPanelError(error: unknown, platform?: PlatformId): PanelError {
  const message = cap(errorMessage(error), 2000);
  const kind = isAiFunctionsError(error) ? error.kind : 'unknown';
  const actions: ErrorAction[] = [];
  switch (kind) {
    case 'auth':
      actions.push('setApiKey');
      break;
    case 'configuration':
      actions.push('openSettings');
      break;
    case 'network':
    case 'timeout':
      actions.push('retry', 'openSettings');
      break;
    case 'rateLimited':
    case 'server':
      actions.push('retry');
      break;
    default:
      break;
  }
  actions.push('showLog');
  const result: PanelError = { kind, message, actions };
  const errorPlatform = isAiFunctionsError(error) ? (error.platform ?? platform) : platform;
  if (errorPlatform) result.platform = errorPlatform;
  return result;
}

/** No key for the platform. It starts with "No " because the error card then titles it "No key set". */
export function missingKeyError(platform: PlatformId): PanelError {
  const name = PLATFORM_NAMES[platform];
  const nyckel = platform === 'nyckel';
  const message = `No ${name} ${nyckel ? 'credentials are' : 'API key is'} set: set ${nyckel ? 'them' : 'one'} to run ${name} functions.`;
  return toPanelError(new AiFunctionsError('auth', message, { platform }), platform);
}

/** A form the host refused. No actions: the webview shows it at the field, where it is fixed. */
export function invalidInputError(problem: FormProblem): PanelError {
  const { field, message, line, column, offset } = problem;
  const error: PanelError = { kind: 'invalidInput', message, field, actions: [] };
  if (line !== undefined) Object.assign(error, { line, column, offset });
  return error;
}
