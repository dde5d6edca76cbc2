// Typed access to the extension's settings. Defaults and ranges live in package.json only.
// Settings that choose where data goes (endpoints, the cluster, the functions, the default
// function) are read from user settings only: a cloned repository's .vscode/settings.json must
// never choose the host a key is sent to or the function a selection is sent to. Numbers are
// clamped to the range their schema declares, whoever set them.
import * as vscode from 'vscode';
import { configurationError } from '../../core/errors';
import type { HttpTimeouts } from '../../core/http';
import { PROXY_SETTINGS, type ProxySettings } from '../../core/proxy';
import { PLATFORM_IDS, type PlatformId } from '../../core/model';
import { normalizeBaseUrl } from '../../core/urls';
import { Disposable } from './disposable';

export const URL_SETTINGS = ['sutro.apiUrl', 'sutro.functionsUrl', 'nyckel.baseUrl', 'inferable.baseUrl'] as const;
export type UrlSetting = (typeof URL_SETTINGS)[number];

/** Every setting that decides where data goes, read from user settings only. */
export const USER_ONLY_SETTINGS = [...URL_SETTINGS, 'sutro.api', 'inferable.clusterId', 'sutro.functions', 'defaultFunction'] as const;
export type UserOnlySetting = (typeof USER_ONLY_SETTINGS)[number];

const SECTION = 'aiFunctions';
const EXTENSION_ID = 'aifn.ai-functions';

type NumberSetting = 'http.connectTimeoutSeconds' | 'http.responseTimeoutSeconds' | 'http.totalTimeoutSeconds' | 'jobs.pageSize' | 'concurrency';

/** The parts of a `contributes.configuration` property this class reads. */
interface PropertySchema {
  type?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
}

export interface SutroFunctionSetting {
  name: string;
  inputFields?: string[];
}

export interface FunctionRef {
  platform: PlatformId;
  id: string;
}

export class Settings extends Disposable {
  private readonly properties: Record<string, PropertySchema>;
  /**
   * Values as read, until the configuration changes. Every request reads a handful of settings
   * (its endpoint, timeouts, proxy), and each read through VS Code's configuration API costs
   * 0.3–3 ms in the extension host (`inspect` builds every layer of the value).
   */
  private readonly values = new Map<string, unknown>();

  /** `manifest` is the extension's package.json (its schema gives each number its range). */
  constructor(manifest: unknown = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON) {
    super();
    const properties = (manifest as { contributes?: { configuration?: { properties?: unknown } } } | undefined)?.contributes?.configuration?.properties;
    this.properties = typeof properties === 'object' && properties !== null ? (properties as Record<string, PropertySchema>) : {};
    // VS Code updates the configuration and then fires this event: from then on, values are read anew.
    this._register(vscode.workspace.onDidChangeConfiguration(() => this.values.clear()));
  }

  private configuration(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  /** `read()`, or what it returned since the configuration last changed. */
  private remembered<T>(key: string, read: () => T): T {
    if (!this.values.has(key)) this.values.set(key, read());
    return this.values.get(key) as T;
  }

  /** The user's value, else the default: workspace and folder values are ignored. */
  private userValue(setting: UserOnlySetting): unknown {
    return this.remembered(`user:${setting}`, () => {
      const inspected = this.configuration().inspect<unknown>(setting);
      return inspected?.globalValue ?? inspected?.defaultValue;
    });
  }

  /** The effective value (any scope may set it). */
  private value(setting: string): unknown {
    return this.remembered(`value:${setting}`, () => this.configuration().get<unknown>(setting));
  }

  /** A normalized base URL from user settings (or the default); throws a configuration error. */
  url(setting: UrlSetting): string {
    const raw = this.userValue(setting);
    const checked = normalizeBaseUrl(typeof raw === 'string' ? raw : '');
    if (!checked.ok) {
      throw configurationError(`The setting ${SECTION}.${setting} is not valid: ${checked.reason}. Fix it in your user settings.`);
    }
    return checked.url;
  }

  /** A URL setting as the user wrote it (user settings only, else the default), '' when unset. */
  rawUrl(setting: UrlSetting): string {
    const raw = this.userValue(setting);
    return typeof raw === 'string' ? raw : '';
  }

  /** aiFunctions.sutro.api: 'deployment' (the default) or 'shared' (the older shared API). */
  sutroApi(): 'deployment' | 'shared' {
    return this.userValue('sutro.api') === 'shared' ? 'shared' : 'deployment';
  }

  /** Writes one of the user-only settings (`aiFunctions.<setting>`) to user settings. */
  async setUserSetting(setting: UserOnlySetting, value: unknown): Promise<void> {
    await this.configuration().update(setting, value, vscode.ConfigurationTarget.Global);
  }

  /** `setting` without its `aiFunctions.` prefix, when it is one of the user-only settings. */
  userOnlySetting(fullName: string): UserOnlySetting | undefined {
    return USER_ONLY_SETTINGS.find((name) => `${SECTION}.${name}` === fullName);
  }

  timeouts(): HttpTimeouts {
    return {
      connectMs: this.number('http.connectTimeoutSeconds') * 1000,
      firstByteMs: this.number('http.responseTimeoutSeconds') * 1000,
      totalMs: this.number('http.totalTimeoutSeconds') * 1000,
    };
  }

  /**
   * VS Code's proxy settings (`http.proxy`, `http.noProxy`, `http.proxyStrictSSL`,
   * `http.proxyAuthorization`) as plain data for core/http.ts: the user's values only, like the
   * endpoints (a workspace must not route the user's keys through its proxy), as written (core
   * checks their types). The authorization is a secret: it is handed to the HttpClient and never
   * logged.
   */
  proxy(): ProxySettings {
    return this.remembered('proxy', () => {
      // One `inspect` of the section, whose user layer holds every http.* setting the user wrote,
      // instead of one per setting: the first request reads these, and each `inspect` costs 0.5 ms.
      const user: unknown = vscode.workspace.getConfiguration().inspect('http')?.globalValue;
      const written = typeof user === 'object' && user !== null ? (user as Record<string, unknown>) : {};
      return Object.freeze(Object.fromEntries(PROXY_SETTINGS.map((name) => [name, written[name]])));
    });
  }

  /** How many rows run at once (before a platform's own limit). */
  concurrency(): number {
    return this.number('concurrency');
  }

  jobsPageSize(): number {
    return this.number('jobs.pageSize');
  }

  jobsAutoRefresh(): boolean {
    const value = this.value('jobs.autoRefresh');
    return typeof value === 'boolean' ? value : this.properties[`${SECTION}.jobs.autoRefresh`]?.default !== false;
  }

  inferableClusterId(): string {
    const value = this.userValue('inferable.clusterId');
    return typeof value === 'string' ? value.trim() : '';
  }

  /** The function Classify Selection runs (`platform:id` in user settings), if one is set. */
  defaultFunction(): FunctionRef | undefined {
    const value = this.userValue('defaultFunction');
    if (typeof value !== 'string') return undefined;
    const at = value.indexOf(':');
    const platform = PLATFORM_IDS.find((id) => id === value.slice(0, at));
    const id = value.slice(at + 1);
    return at > 0 && platform && id !== '' ? { platform, id } : undefined;
  }

  async setDefaultFunction(fn: FunctionRef): Promise<void> {
    await this.configuration().update('defaultFunction', `${fn.platform}:${fn.id}`, vscode.ConfigurationTarget.Global);
  }

  sutroFunctions(): SutroFunctionSetting[] {
    const value = this.remembered('global:sutro.functions', () => this.configuration().inspect<unknown>('sutro.functions')?.globalValue);
    if (!Array.isArray(value)) return [];
    return value.flatMap((entry): SutroFunctionSetting[] => {
      if (typeof entry === 'string' && entry.trim() !== '') return [{ name: entry.trim() }];
      if (typeof entry !== 'object' || entry === null || typeof (entry as { name?: unknown }).name !== 'string') return [];
      const { name, inputFields } = entry as { name: string; inputFields?: unknown };
      const fields = Array.isArray(inputFields) ? inputFields.filter((f): f is string => typeof f === 'string') : undefined;
      return [{ name: name.trim(), ...(fields && fields.length > 0 ? { inputFields: fields } : {}) }];
    });
  }

  async setSutroFunctions(functions: SutroFunctionSetting[]): Promise<void> {
    await this.configuration().update('sutro.functions', functions, vscode.ConfigurationTarget.Global);
  }

  /** The value, or the schema's default when it is not a finite number, clamped to the schema's range. */
  number(setting: NumberSetting): number {
    const schema = this.properties[`${SECTION}.${setting}`] ?? {};
    const value = this.value(setting);
    const fallback = typeof schema.default === 'number' ? schema.default : 1;
    let n = typeof value === 'number' && Number.isFinite(value) ? value : fallback;
    if (schema.type === 'integer') n = Math.floor(n);
    return Math.min(schema.maximum ?? Infinity, Math.max(schema.minimum ?? -Infinity, n));
  }

  onDidChange(listener: (event: vscode.ConfigurationChangeEvent) => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((event) => {
      // Whichever listener VS Code calls first, the values are read anew.
      this.values.clear();
      if (event.affectsConfiguration(SECTION)) listener(event);
    });
  }
}
