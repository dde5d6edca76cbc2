// A key bound to an endpoint (descriptor.keyEndpoint) is asked for again when the settings move
// the platform elsewhere: the adapter refuses to send it to the new endpoint, and this says so at
// once, with the button that sets it again.
import * as vscode from 'vscode';
import { Disposable } from '../base/disposable';
import { showWarning } from '../base/notify';
import type { Platforms } from '../base/platforms';
import type { Settings } from '../base/settings';
import type { PlatformAdapter } from '../../platforms/types';
import type { CredentialStore } from './credentialStore';

export class KeyBindingWatch extends Disposable {
  /** Per platform, the move last warned about: two settings changed together warn once. */
  private readonly warned = new Map<string, string>();

  constructor(
    private readonly platforms: Platforms,
    private readonly store: CredentialStore,
    settings: Settings,
  ) {
    super();
    this._register(
      settings.onDidChange((event) => {
        for (const adapter of Object.values(this.platforms)) {
          if (adapter.descriptor.keyEndpoint?.affectedBy.some((setting) => event.affectsConfiguration(setting))) void this.check(adapter);
        }
      }),
    );
  }

  /** Resolves once the user answered (or when nothing needed asking); true when a key was set again. */
  async check(adapter: PlatformAdapter): Promise<boolean> {
    const stored = await this.store.get(adapter.id);
    // A key stored before keys were bound: the adapter says what to do when it is used.
    if (!stored?.endpoint || !adapter.keyBinding) return false;
    let origin: string;
    try {
      origin = adapter.keyBinding();
    } catch {
      return false; // nothing usable is configured: the views say what to set
    }
    if (origin === stored.endpoint) {
      this.warned.delete(adapter.id);
      return false;
    }
    const move = `${stored.endpoint} ${origin}`;
    if (this.warned.get(adapter.id) === move) return false;
    this.warned.set(adapter.id, move);
    const name = adapter.descriptor.displayName;
    const choice = await showWarning(
      `The ${name} API key was set for ${stored.endpoint}; ${name} now points at ${origin}. Set the key again for ${origin}: a key is never sent to another host.`,
      'Set API Key…',
    );
    if (!choice) return false;
    return Boolean(await vscode.commands.executeCommand('aiFunctions.setApiKey', { platform: adapter.id }));
  }
}
