// Typed, safe access to the extension's settings. URL settings are read from user settings only:
// a cloned repository's .vscode/settings.json must never be able to send a key to another host.
import * as vscode from 'vscode';
import { configurationError } from '../core/errors';
import type { HttpTimeouts } from '../core/http';
import { normalizeBaseUrl } from '../core/urls';

export const URL_SETTINGS = ['sutro.apiUrl', 'sutro.functionsUrl', 'nyckel.baseUrl', 'inferable.baseUrl'] as const;
export type UrlSetting = (typeof URL_SETTINGS)[number];

const SECTION = 'aiFunctions';

export interface SutroFunctionSetting {
  name: string;
  inputFields?: string[];
}

export class Settings {
  private configuration(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  /** A normalized base URL from user settings (or the default); throws a configuration error. */
  url(setting: UrlSetting): string {
    const inspected = this.configuration().inspect<string>(setting);
    const raw = inspected?.globalValue ?? inspected?.defaultValue ?? '';
    const checked = normalizeBaseUrl(raw);
    if (!checked.ok) {
      throw configurationError(`The setting ${SECTION}.${setting} is not valid: ${checked.reason}. Fix it in your user settings.`);
    }
    return checked.url;
  }

  timeouts(): HttpTimeouts {
    const seconds = (name: string, fallback: number) => Math.max(1, this.number(`http.${name}`, fallback)) * 1000;
    return {
      connectMs: seconds('connectTimeoutSeconds', 10),
      firstByteMs: seconds('responseTimeoutSeconds', 100),
      totalMs: seconds('totalTimeoutSeconds', 120),
    };
  }

  inferableClusterId(): string {
    const inspected = this.configuration().inspect<string>('inferable.clusterId');
    return (inspected?.globalValue ?? '').trim();
  }

  sutroFunctions(): SutroFunctionSetting[] {
    const value = this.configuration().inspect<unknown>('sutro.functions')?.globalValue;
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

  number(setting: string, fallback: number): number {
    const value = this.configuration().get<unknown>(setting);
    return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
  }

  boolean(setting: string, fallback: boolean): boolean {
    const value = this.configuration().get<unknown>(setting);
    return typeof value === 'boolean' ? value : fallback;
  }

  string(setting: string, fallback: string): string {
    const value = this.configuration().get<unknown>(setting);
    return typeof value === 'string' ? value : fallback;
  }

  onDidChange(listener: (event: vscode.ConfigurationChangeEvent) => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SECTION)) listener(event);
    });
  }
}
