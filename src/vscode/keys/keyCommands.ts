// Set API Key… / Clear API Key…. Command arguments can come from a command link (a notification,
// a hover, another extension), so they only choose the platform: credentials are typed by the user
// or set through the public API's setApiKey, and clearing on arguments asks first. A platform
// whose keys belong to one endpoint (descriptor.keyEndpoint) is asked for that endpoint first when
// none is set; it goes to user settings, and the key is stored bound to it.
import * as vscode from 'vscode';
import { lazySchemas } from '../../core/lazyZod';
import { credentialProblem, type CredentialField } from '../../core/credentials';
import { isAiFunctionsError } from '../../core/errors';
import { PLATFORM_IDS, type Credentials, type PlatformId } from '../../core/model';
import type { PlatformAdapter, PlatformDescriptor } from '../../platforms/types';
import type { Platforms } from '../base/platforms';
import type { Logger } from '../../core/log';
import { registerCommand } from '../base/commands';
import { confirm, showErrorText, showInformation } from '../base/notify';
import type { Settings } from '../base/settings';
import type { CredentialStore } from './credentialStore';


const keyArgs = lazySchemas((z) => z.object({ platform: z.enum(PLATFORM_IDS) }));
const carriesCredentials = (args: unknown): boolean =>
  typeof args === 'object' && args !== null && ['apiKey', 'clientId', 'clientSecret'].some((field) => field in args);

export class KeyCommands {
  constructor(
    private readonly platforms: Platforms,
    private readonly store: CredentialStore,
    private readonly log: Logger,
    private readonly settings?: Settings,
  ) {}

  register(): vscode.Disposable[] {
    return [
      registerCommand(this.log, 'aiFunctions.setApiKey', (args?: unknown) => this.setApiKey(args)),
      registerCommand(this.log, 'aiFunctions.clearApiKey', (args?: unknown) => this.clearApiKey(args)),
    ];
  }

  async setApiKey(args?: unknown): Promise<boolean> {
    if (carriesCredentials(args)) {
      // Whoever made the link would choose the key every later request is sent with.
      this.log.warn('Set API Key was called with credentials in its arguments; nothing was stored.');
      void showErrorText('Set API Key does not take credentials as arguments. Run it from the Command Palette, or use the extension API\'s setApiKey.');
      return false;
    }
    const parsed = parseArgs(args);
    const platform = parsed.platform ?? (await this.pickPlatform('Set credentials for which platform?'));
    if (!platform) return false;
    const adapter = this.platforms[platform];
    const endpoint = await this.askEndpoint(adapter);
    if (endpoint === null) return false;
    const credentials = await askCredentials(adapter.descriptor);
    if (!credentials) return false;
    await this.store.set(platform, credentials);
    this.log.info(`Stored credentials for ${this.name(platform)}${endpoint ? ` (for ${endpoint})` : ''}.`);
    void showInformation(`${this.name(platform)} credentials saved in VS Code's secret storage.${endpoint ? ` They are sent only to ${endpoint}.` : ''}`);
    return true;
  }

  /**
   * For a platform whose keys belong to one endpoint: the origin the key will be bound to, asking
   * for the endpoint (and writing it to user settings) when none is set or the one set cannot be
   * used. undefined for other platforms; null when the user dismissed the question.
   */
  private async askEndpoint(adapter: PlatformAdapter): Promise<string | undefined | null> {
    const spec = adapter.descriptor.keyEndpoint;
    if (!spec || !adapter.keyBinding) return undefined;
    let problem: string;
    try {
      return adapter.keyBinding();
    } catch (error) {
      const setting = this.settings?.userOnlySetting(spec.setting);
      if (!isAiFunctionsError(error) || error.kind !== 'configuration' || !setting || !this.settings) throw error;
      problem = error.message;
    }
    const typed = await vscode.window.showInputBox({
      title: `${adapter.descriptor.displayName} ${spec.label}`,
      prompt: `${spec.prompt} (${problem})`,
      placeHolder: spec.placeholder,
      ignoreFocusOut: true,
      validateInput: (text) => adapter.endpointProblem?.(text),
    });
    if (typed === undefined) return null;
    await this.settings.setUserSetting(this.settings.userOnlySetting(spec.setting)!, typed.trim());
    this.log.info(`Set ${spec.setting} for ${adapter.descriptor.displayName}.`);
    return adapter.keyBinding();
  }

  async clearApiKey(args?: unknown): Promise<boolean> {
    const parsed = parseArgs(args);
    const platform = parsed.platform ?? (await this.pickPlatform('Clear the credentials of which platform?', true));
    if (!platform) return false;
    if (parsed.platform) {
      const name = this.name(platform);
      if (!(await confirm(`Remove the ${name} credentials?`, `They are deleted from VS Code's secret storage; ${name} functions stop working until you set them again.`, 'Remove'))) return false;
    }
    await this.store.delete(platform);
    this.log.info(`Removed credentials for ${this.name(platform)}.`);
    void showInformation(`${this.name(platform)} credentials removed.`);
    return true;
  }

  private name(platform: PlatformId): string {
    return this.platforms[platform].descriptor.displayName;
  }

  private async pickPlatform(title: string, onlyWithKey = false): Promise<PlatformId | undefined> {
    const items = await Promise.all(
      PLATFORM_IDS.map(async (platform) => {
        const hasKey = await this.store.has(platform);
        return {
          platform,
          hasKey,
          label: `$(${hasKey ? 'pass-filled' : 'circle-large-outline'}) ${this.name(platform)}`,
          description: hasKey ? 'credentials set' : 'no credentials',
        };
      }),
    );
    const choices = onlyWithKey ? items.filter((item) => item.hasKey) : items;
    if (choices.length === 0) {
      void showInformation('No AI Functions credentials are stored.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(choices, { title, placeHolder: 'Platform', ignoreFocusOut: true });
    return picked?.platform;
  }
}

function parseArgs(args: unknown): { platform?: PlatformId } {
  if (args === undefined || args === null) return {};
  const parsed = keyArgs().safeParse(args);
  if (!parsed.success) {
    // Never echo the arguments: they may hold a key.
    throw new Error(`AI Functions: the command arguments must be { platform }, with platform one of ${PLATFORM_IDS.join(', ')}.`);
  }
  return parsed.data;
}

async function askCredentials(platform: PlatformDescriptor): Promise<Credentials | undefined> {
  const values: Partial<Record<CredentialField, string>> = {};
  for (const { field, label, secret } of platform.credentialFields) {
    const value = await vscode.window.showInputBox({
      title: `${platform.displayName} ${label}`,
      prompt: `Paste your ${platform.displayName} ${label}. It is kept in VS Code's secret storage.`,
      password: secret,
      ignoreFocusOut: true,
      validateInput: (text) => credentialProblem(field, text),
    });
    if (value === undefined) return undefined;
    values[field] = value;
  }
  return values.apiKey !== undefined
    ? { apiKey: values.apiKey }
    : { clientId: values.clientId ?? '', clientSecret: values.clientSecret ?? '' };
}
