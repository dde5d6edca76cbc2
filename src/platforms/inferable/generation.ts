// Which API a cluster's control plane speaks, told from its answers and remembered per cluster.
//
// - 'seed': the Oct 2024 API (sdk-node contract @4385c1f3): runs created with `{message, result:
//   {schema}, attachedFunctions}`, functions listed from `GET /clusters/{c}/services`, paused runs
//   answered through input requests, the text answer in the run's `summary`.
// - 'current': the control plane since Dec 2024 (control-plane contract @c67acb81): runs created
//   with `{initialPrompt, resultSchema, tools}` (a `message` is ignored, so such a run stays
//   pending for ever), tools listed from `GET /clusters/{c}/tools` (`/services` is gone), paused
//   runs wait for approvals of their jobs, the text answer in `GET /runs/{r}/messages`.
//
// `GET /clusters/{c}/tools` exists only in the current generation and `/services` only in the
// seed's; an unknown route is a Fastify 404 "Route GET:/… not found". A created run's reply tells
// it too: only the current control plane answers with the run's `status`.
import { isAiFunctionsError } from '../../core/errors';

export type Generation = 'current' | 'seed';

/** Fastify's answer for a route it does not have ("Route GET:/clusters/c/services not found"). */
const ROUTE_MISSING = /^Route [A-Z]+:\S* not found/;

/** True when the request failed because the control plane has no such route (not: no such run). */
export function isRouteMissing(error: unknown): boolean {
  return isAiFunctionsError(error) && error.kind === 'notFound' && ROUTE_MISSING.test(error.platformMessage ?? '');
}

/**
 * The generation last seen per cluster, keyed by base URL and cluster id: changed settings name
 * another cluster, which is detected anew; `forget` drops a guess a reply has shown to be wrong.
 */
export class GenerationMemory {
  private readonly known = new Map<string, Generation>();

  get(baseUrl: string, clusterId: string): Generation | undefined {
    return this.known.get(key(baseUrl, clusterId));
  }

  remember(baseUrl: string, clusterId: string, generation: Generation): void {
    this.known.set(key(baseUrl, clusterId), generation);
  }

  forget(baseUrl: string, clusterId: string): void {
    this.known.delete(key(baseUrl, clusterId));
  }
}

function key(baseUrl: string, clusterId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}\n${clusterId}`;
}
