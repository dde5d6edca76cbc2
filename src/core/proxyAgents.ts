// Requests through a proxy: which proxy (core/proxy.ts), undici's ProxyAgent for it, and the
// messages of the failures a proxy adds. core/http.ts loads this module only when a proxy is
// configured for a request's host; the production build makes it a bundle of its own
// (dist/undici-proxy.js, see esbuild.mjs), so activation and requests without a proxy never load
// undici's ProxyAgent, nor this code.
/* eslint-disable @typescript-eslint/no-require-imports -- undici's own modules, bundled as they are */
import type { Dispatcher, ProxyAgent as ProxyAgentClass } from 'undici';
import { formatSeconds, isAiFunctionsError, platformName, type AiFunctionsError, type ErrorDetails, type ErrorKind } from './errors';
import type { Logger } from './log';
import type { PlatformId } from './model';
import { describeSource, proxyRoute, type ProxyEnv, type ProxyRoute, type ProxySettings } from './proxy';

// ProxyAgent opens its tunnels with `Dispatcher#connect`, which undici's index adds to every
// dispatcher (`Object.assign(Dispatcher.prototype, api)`). This bundle holds ProxyAgent and what it
// requires, not the index, so it adds `connect` itself.
const DispatcherClass = require('undici/lib/dispatcher/dispatcher.js') as { prototype: { connect?: unknown } };
if (typeof DispatcherClass.prototype.connect !== 'function') DispatcherClass.prototype.connect = require('undici/lib/api/api-connect.js');
const ProxyAgent = require('undici/lib/dispatcher/proxy-agent.js') as typeof ProxyAgentClass;

/** The error class of the bundle that loaded this one (errors are made there, so `instanceof` holds). */
export type MakeError = new (kind: ErrorKind, message: string, details?: ErrorDetails) => AiFunctionsError;

/** Pool settings, the same as for direct connections (core/http.ts). */
export type PoolSettings = Omit<ProxyAgentClass.Options, 'uri'>;

/** Proxy agents kept at once (one per proxy in use); past it the oldest is closed. */
const MAX_AGENTS = 4;

/** Codes of a failure to reach the proxy itself (through a tunnel, the proxy connects to the platform). */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'name lookup failed',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'no connection',
};

/** Why the proxy refused to open a tunnel, by its status. */
const REFUSALS: Record<number, string> = {
  403: 'the proxy does not allow it',
  502: 'the proxy could not connect to it',
  503: 'the proxy could not connect to it',
  504: 'the proxy timed out connecting to it',
};

function codeOf(e: unknown): string | undefined {
  const err = e as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = err?.code ?? err?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

export class ProxyAgents {
  /** By ProxyRoute.key. */
  private readonly agents = new Map<string, ProxyAgentClass>();
  private connectMs = -1;

  constructor(
    private readonly logger: Logger,
    private readonly makeError: MakeError,
    private readonly pool: PoolSettings,
  ) {}

  /** The proxy for a request to `url`, or undefined (loopback, `noProxy`); throws a configuration error for a bad proxy address. */
  route(url: URL, settings: ProxySettings | undefined, env: ProxyEnv, proxyLoopback: boolean): ProxyRoute | undefined {
    return proxyRoute(url, settings, env, proxyLoopback, (message) => new this.makeError('configuration', message));
  }

  /**
   * The agent for a proxy: it tunnels every request with CONNECT (https:// targets, and http://
   * ones, which only tests send through a proxy) and keeps one pool per origin, with the settings
   * of direct pools. The proxy's credentials go only to the proxy (Proxy-Authorization on
   * CONNECT), never to the platform.
   */
  agent(route: ProxyRoute, connectMs: number): Dispatcher {
    if (connectMs !== this.connectMs) {
      // The connect timeout is an agent option: start fresh agents, let the old ones finish.
      this.closeAll(false);
      this.connectMs = connectMs;
    }
    let agent = this.agents.get(route.key);
    if (!agent) {
      const tls = { rejectUnauthorized: route.strictSSL, timeout: connectMs };
      agent = new ProxyAgent({
        ...this.pool,
        uri: route.url,
        ...(route.authorization ? { token: route.authorization } : {}),
        proxyTls: tls,
        requestTls: tls,
        connectTimeout: connectMs,
      });
      if (this.agents.size >= MAX_AGENTS) {
        const [oldestKey, oldest] = this.agents.entries().next().value as [string, ProxyAgentClass];
        this.agents.delete(oldestKey);
        void oldest.close().catch(() => undefined);
      }
      this.agents.set(route.key, agent);
      const unverified = route.strictSSL ? '' : '; certificates are not verified (http.proxyStrictSSL)';
      this.logger.info(`Requests to platforms go through the proxy ${route.origin} (${describeSource(route.source)})${unverified}.`);
    }
    return agent;
  }

  /**
   * A failure of a request through a proxy, with a message that names the proxy (never its
   * credentials) and where it was configured: the proxy's refusals (407, or a CONNECT answered
   * with another status) and failures to reach it. Any other failure is `otherwise()`, the error
   * it would be without a proxy, with the proxy added to a network error's message.
   */
  error(e: unknown, platform: PlatformId, origin: string, route: ProxyRoute, connectMs: number, otherwise: () => AiFunctionsError): AiFunctionsError {
    if (isAiFunctionsError(e)) return e;
    const name = platformName(platform);
    const where = describeSource(route.source);
    // undici: "Proxy response (407) !== 200 when HTTP Tunneling" (RequestAbortedError).
    const refused = /Proxy response \((\d{3})\)/.exec(e instanceof Error ? e.message : '');
    if (refused) {
      const status = Number(refused[1]);
      if (status === 407) {
        const fix = route.authorization ? 'Check the http.proxyAuthorization setting' : `Set http.proxyAuthorization, or put the user and password in ${where}`;
        return new this.makeError(
          'configuration',
          `The proxy ${route.origin} (${where}) asked for credentials (407 Proxy Authentication Required) before connecting to ${name}. ${fix}.`,
          { platform, status, cause: e },
        );
      }
      return new this.makeError(
        'network',
        `Could not reach ${name} at ${origin} through the proxy ${route.origin} (${where}): ${REFUSALS[status] ?? 'the proxy refused'} (${status}). Check the http.proxy and http.noProxy settings.`,
        { platform, status, cause: e },
      );
    }
    const code = codeOf(e);
    if (code !== undefined && UNREACHABLE[code]) {
      const what = code === 'UND_ERR_CONNECT_TIMEOUT' ? `no connection within ${formatSeconds(connectMs)}` : UNREACHABLE[code];
      // The cause keeps the code: a connection never made is sent again (core/http.ts mayResend).
      return new this.makeError(
        'network',
        `Could not reach the proxy ${route.origin} (${where}) to connect to ${name}: ${what} (${code}). Check the http.proxy setting.`,
        { platform, cause: e },
      );
    }
    const error = otherwise();
    if (error.kind === 'network') error.message = `${error.message.replace(/\.$/, '')} (through the proxy ${route.origin}, ${where}).`;
    return error;
  }

  /** Closes every agent: at once (`destroy`), or after their requests finish. */
  closeAll(destroy: boolean): Promise<unknown> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    return Promise.all(agents.map((agent) => (destroy ? agent.destroy() : agent.close()).catch(() => undefined)));
  }
}
