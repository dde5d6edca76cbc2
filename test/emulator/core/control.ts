// The `/__emulator/` control endpoints: no auth, never recorded nor counted. They drive an
// emulator from outside its process (a benchmark's child process, curl) as `emu.x.…` does inside.

import type { FaultControl, FaultSpec } from './faults';
import { isPlainObject, reply, type Reply } from './http';
import type { EmulatorStats, RecordedRequest } from './recording';

export const CONTROL_PREFIX = '/__emulator/';

/** What the control endpoints reach of an emulator. */
export interface Controllable {
  readonly requests: RecordedRequest[];
  readonly faults: FaultControl;
  clearRequests(): void;
  reset(): void;
  stats(): EmulatorStats;
  resetStats(): void;
  config(): Record<string, unknown>;
  configure(config: Record<string, unknown>): void;
}

/** The reply to `method /__emulator/<what>`; a knob that throws answers 400 with its message. */
export function controlReply(target: Controllable, method: string, what: string, query: URLSearchParams, json: unknown, jsonError: boolean): Reply {
  const bad = (message: string): Reply => reply.json(400, { error: message });
  const body = (): Record<string, unknown> | undefined => (jsonError || json === undefined ? {} : isPlainObject(json) ? json : undefined);
  try {
    switch (`${method} ${what}`) {
      case 'GET requests': {
        const since = Number(query.get('since') ?? 0) || 0;
        return reply.json(200, since > 0 ? target.requests.filter((r) => r.index >= since) : target.requests);
      }
      case 'DELETE requests':
        target.clearRequests();
        return reply.empty(204);
      case 'GET faults':
        return reply.json(200, target.faults.get());
      case 'POST faults': {
        const spec = body();
        if (!spec || jsonError) return bad('Expected a JSON object of fault knobs');
        target.faults.set(spec as FaultSpec);
        return reply.empty(204);
      }
      case 'DELETE faults':
        target.faults.clear();
        return reply.empty(204);
      case 'POST reset':
        target.reset();
        return reply.empty(204);
      case 'GET stats':
        return reply.json(200, target.stats());
      case 'DELETE stats':
        target.resetStats();
        return reply.empty(204);
      case 'GET config':
        return reply.json(200, target.config());
      case 'POST config': {
        const cfg = body();
        if (!cfg || jsonError) return bad('Expected a JSON object of config knobs');
        target.configure(cfg);
        return reply.empty(204);
      }
      default:
        return reply.json(404, { error: `Unknown control endpoint ${method} /__emulator/${what}` });
    }
  } catch (err) {
    return bad((err as Error).message);
  }
}
