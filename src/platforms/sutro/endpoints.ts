// Where Sutro requests go, and which addresses a key may be sent to.
//
// Two API generations (aiFunctions.sutro.api):
// - 'deployment' (the default): the user's own single-tenant deployment serves runs, jobs, cancel
//   and results under `<origin>/v1`. The URL is normalized exactly as the Python SDK does
//   (sutro-sh/sutro 0.1.64, commit da8cde12, `sutro/validation.py` `normalize_api_url` and
//   `_is_known_direct_tensor_factory_api_url`; `tests/test_configuration.py`): an origin or
//   `<origin>/v1` (trailing slashes allowed) becomes `<origin>/v1`; any other path, a query, a
//   fragment, user info, plain http:// to a host that is not loopback, and the retired shared hosts
//   are refused before anything is sent.
// - 'shared': the older shared API, as the seed used it: jobs on apiUrl (default api.sutro.sh),
//   runs on functionsUrl (default serve.sutro.sh), each used as given.
import { configurationError, type AiFunctionsError } from '../../core/errors';
import { PLATFORM_IDENTITIES } from '../../core/model';
import { isLoopbackHost, normalizeBaseUrl, type UrlCheck } from '../../core/urls';

export type SutroApi = 'deployment' | 'shared';

export const API_SETTING = 'aiFunctions.sutro.api';
export const API_URL_SETTING = PLATFORM_IDENTITIES.sutro.addressSetting;
export const FUNCTIONS_URL_SETTING = 'aiFunctions.sutro.functionsUrl';

/** The shared API's hosts, used in 'shared' mode when the settings are empty. */
export const SHARED_API_URL = 'https://api.sutro.sh';
export const SHARED_FUNCTIONS_URL = 'https://serve.sutro.sh';

/** The SDK's `CENTRALIZED_API_HOST_SUFFIXES` (the host itself or any subdomain). */
const RETIRED_HOST_SUFFIXES = ['api.sutro.sh', 'serve.sutro.sh', 'api.materialized.dev'];
/** The SDK's `TENSOR_FACTORY_MODAL_HOST_SUFFIX` (a host name ending in it). */
const RETIRED_MODAL_SUFFIX = '--tensor-factory-fastapi-app.modal.run';

const EXAMPLE = 'https://<your-deployment>';

/** Whether a host is one of Sutro's retired shared hosts (lower-cased, a trailing dot ignored). */
export function isRetiredSutroHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host.endsWith(RETIRED_MODAL_SUFFIX) || RETIRED_HOST_SUFFIXES.some((suffix) => host === suffix || host.endsWith(`.${suffix}`));
}

/** Why the retired hosts are refused; says what to set instead. */
export function retiredHostReason(host: string): string {
  return `${host} is Sutro's retired shared API, which no longer serves API keys directly; set ${API_URL_SETTING} to your own Sutro deployment URL (${EXAMPLE})`;
}

/**
 * A deployment URL as the SDK normalizes it: `<origin>/v1`, or why it is refused. `url` is the
 * normalized URL; the origin is `new URL(url).origin`.
 */
export function normalizeDeploymentUrl(raw: string): UrlCheck & { retired?: boolean } {
  const value = raw.trim();
  if (value === '') return { ok: false, reason: `it is empty; set it to your Sutro deployment URL (${EXAMPLE})` };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, reason: `"${value}" is not an absolute https:// URL` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: `it uses ${url.protocol} (only https:// is allowed)` };
  if (url.host === '') return { ok: false, reason: `"${value}" has no host` };
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'it contains a user name or password; keys belong in "AI Functions: Set API Key…"' };
  }
  if (url.search !== '' || value.includes('?')) return { ok: false, reason: 'it contains a query (?…)' };
  if (url.hash !== '' || value.includes('#')) return { ok: false, reason: 'it contains a fragment (#…)' };
  // `new URL` lower-cases the host, turns it into punycode and decodes escapes, as requests does
  // before the SDK looks at it: an encoded host name cannot slip past this check.
  if (isRetiredSutroHost(url.hostname)) return { ok: false, reason: retiredHostReason(url.hostname), retired: true };
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return { ok: false, reason: `http:// is only allowed for loopback addresses; use https://${url.host}` };
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (path !== '' && path !== '/v1') {
    return { ok: false, reason: `it has the path ${url.pathname}; use the deployment's origin (${EXAMPLE}) or its /v1 API prefix` };
  }
  return { ok: true, url: `${url.origin}/v1` };
}

/** Where requests go under the configured generation. */
export interface SutroEndpoints {
  api: SutroApi;
  /** Jobs base (no trailing slash): `<origin>/v1` for a deployment. */
  jobs: string;
  /** Where runs go: the same `<origin>/v1` for a deployment, the shared Functions host otherwise. */
  functions: string;
  /** The origin a key is bound to: the deployment's, or the shared API's (apiUrl). */
  keyOrigin: string;
}

export interface EndpointSettings {
  api: SutroApi;
  /** The raw setting values ('' when unset). */
  apiUrl: string;
  functionsUrl: string;
}

/** The endpoints, or a configuration error that names the setting and says what to set. */
export function resolveEndpoints(settings: EndpointSettings): SutroEndpoints {
  if (settings.api === 'shared') {
    const jobs = sharedUrl(settings.apiUrl, SHARED_API_URL, API_URL_SETTING);
    const functions = sharedUrl(settings.functionsUrl, SHARED_FUNCTIONS_URL, FUNCTIONS_URL_SETTING);
    return { api: 'shared', jobs, functions, keyOrigin: new URL(jobs).origin };
  }
  if (settings.apiUrl.trim() === '') throw noDeployment();
  const checked = normalizeDeploymentUrl(settings.apiUrl);
  if (!checked.ok) throw configurationError(`The setting ${API_URL_SETTING} is not a Sutro deployment URL: ${checked.reason}.`, 'sutro');
  return { api: 'deployment', jobs: checked.url, functions: checked.url, keyOrigin: new URL(checked.url).origin };
}

/** No deployment configured: says what to set. */
export function noDeployment(): AiFunctionsError {
  return configurationError(
    `Sutro has no deployment URL. Set ${API_URL_SETTING} to your Sutro deployment URL (${EXAMPLE}), or run "AI Functions: Set API Key…" for Sutro, which asks for it.`,
    'sutro',
  );
}

function sharedUrl(raw: string, fallback: string, setting: string): string {
  const checked = normalizeBaseUrl(raw.trim() === '' ? fallback : raw);
  if (!checked.ok) throw configurationError(`The setting ${setting} is not valid: ${checked.reason}. Fix it in your user settings.`, 'sutro');
  return checked.url;
}

/** Why `raw` cannot be a deployment URL, as Set API Key shows it; undefined when it can. */
export function deploymentUrlProblem(raw: string): string | undefined {
  const checked = normalizeDeploymentUrl(raw);
  return checked.ok ? undefined : `This is not a Sutro deployment URL: ${checked.reason}.`;
}

/** The adapter's settings as endpoints: a missing `api` keeps the seed's behaviour ('shared'). */
export function endpointsOf(config: { api?: SutroApi; apiUrl?: string; functionsUrl?: string }): SutroEndpoints {
  return resolveEndpoints({ api: config.api ?? 'shared', apiUrl: config.apiUrl ?? '', functionsUrl: config.functionsUrl ?? '' });
}
