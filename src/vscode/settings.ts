// Typed, safe access to the extension's settings. URL settings are read from user settings only:
// a cloned repository's .vscode/settings.json must never be able to send a key to another host.
import * as vscode from 'vscode';
import { normalizeBaseUrl } from '../core/urls';

export const URL_SETTINGS = ['sutro.apiUrl', 'sutro.functionsUrl', 'nyckel.baseUrl', 'inferable.baseUrl'] as const;
export type UrlSetting = (typeof URL_SETTINGS)[number];

const SECTION = 'aiFunctions';

export class InvalidSettingError extends Error {
  constructor(
    readonly setting: string,
    reason: string,
  ) {
    super(`The setting ${SECTION}.${setting} is not valid: ${reason}. Fix it in your user settings.`);
  }
}

export class Settings {
  private configuration(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  /** A normalized base URL from user settings (or the default); throws InvalidSettingError. */
  url(setting: UrlSetting): string {
    const inspected = this.configuration().inspect<string>(setting);
    const raw = inspected?.globalValue ?? inspected?.defaultValue ?? '';
    const checked = normalizeBaseUrl(raw);
    if (!checked.ok) throw new InvalidSettingError(setting, checked.reason);
    return checked.url;
  }

  get<T>(setting: string, fallback: T): T {
    return this.configuration().get<T>(setting, fallback);
  }

  onDidChange(listener: (setting: string) => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SECTION)) listener(SECTION);
    });
  }
}
