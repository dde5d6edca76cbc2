// Credentials live in VS Code's SecretStorage, one entry per platform, and nowhere else. A
// platform whose keys belong to one endpoint (descriptor.keyEndpoint) has the endpoint's origin
// stored beside the key, as it was when the key was set: the adapter sends the key nowhere else.
import { Disposable } from '../base/disposable';
import { setContext } from '../base/commands';
import * as vscode from 'vscode';
import { credentialsProblem, type CredentialField } from '../../core/credentials';
import { PLATFORM_IDS, type Credentials, type PlatformId } from '../../core/model';

const SECRET_PREFIX = 'aiFunctions.credentials.';

/** Credentials as stored: for a platform that binds keys, the origin the key was set for. */
export type StoredCredentials = Credentials & { endpoint?: string };

/**
 * The stored shape, checked by hand rather than with zod: activation reads every platform's
 * credentials (for the hasKey context keys), and this keeps zod from loading for it. What zod's
 * union of the two objects did: the first shape that fits, with only its own fields.
 */
function storedCredentials(value: unknown): StoredCredentials | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const filled = (field: unknown): field is string => typeof field === 'string' && field.length > 0;
  if (filled(v.apiKey) && (v.endpoint === undefined || typeof v.endpoint === 'string')) {
    return 'endpoint' in v ? { apiKey: v.apiKey, endpoint: v.endpoint as string | undefined } : { apiKey: v.apiKey };
  }
  if (filled(v.clientId) && filled(v.clientSecret)) return { clientId: v.clientId, clientSecret: v.clientSecret };
  return undefined;
}

export class InvalidCredentialsError extends Error {}

export class CredentialStore extends Disposable {
  private readonly changed = this._register(new vscode.EventEmitter<PlatformId>());
  /** Fires when a platform's credentials change, in this window or another one. */
  readonly onDidChange = this.changed.event;
  /**
   * What SecretStorage holds, as last read or written here. Each read of SecretStorage is a round
   * trip to VS Code's main side (20–30 ms in a busy extension host, more than the request it
   * precedes), so every request's credentials come from here. SecretStorage's change event
   * (this window or another one) drops a platform's entry; `versions` keeps a read that was under
   * way across a change from filling the cache with what it read before the change.
   */
  private readonly cache = new Map<PlatformId, Promise<StoredCredentials | undefined>>();
  private readonly versions = new Map<PlatformId, number>();

  /**
   * `fieldsOf` names the credential fields each platform takes (from its descriptor); `bindingOf`
   * is the origin a key set now belongs to (the adapter's keyBinding), for platforms that bind
   * keys: it throws a configuration error when that endpoint is not set.
   */
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly fieldsOf: (platform: PlatformId) => readonly CredentialField[],
    private readonly bindingOf: (platform: PlatformId) => string | undefined = () => undefined,
  ) {
    super();
    this._register(
      secrets.onDidChange((event) => {
        const platform = platformOfSecret(event.key);
        if (!platform) return;
        this.forget(platform);
        this.changed.fire(platform);
      }),
    );
  }

  get(platform: PlatformId): Promise<StoredCredentials | undefined> {
    const cached = this.cache.get(platform);
    if (cached) return cached;
    const version = this.versions.get(platform) ?? 0;
    const read = this.read(platform);
    this.cache.set(platform, read);
    // A failed read is not kept; neither is one that a change overtook.
    read.then(
      () => {
        if ((this.versions.get(platform) ?? 0) !== version && this.cache.get(platform) === read) this.cache.delete(platform);
      },
      () => {
        if (this.cache.get(platform) === read) this.cache.delete(platform);
      },
    );
    return read;
  }

  private forget(platform: PlatformId): void {
    this.versions.set(platform, (this.versions.get(platform) ?? 0) + 1);
    this.cache.delete(platform);
  }

  private async read(platform: PlatformId): Promise<StoredCredentials | undefined> {
    const stored = await this.secrets.get(SECRET_PREFIX + platform);
    if (stored === undefined) return undefined;
    try {
      return storedCredentials(JSON.parse(stored));
    } catch {
      return undefined;
    }
  }

  async has(platform: PlatformId): Promise<boolean> {
    return (await this.get(platform)) !== undefined;
  }

  async set(platform: PlatformId, credentials: Credentials): Promise<void> {
    const problem = credentialsProblem(this.fieldsOf(platform), credentials);
    if (problem) throw new InvalidCredentialsError(problem);
    // Bound to the endpoint configured now (a key given with another `endpoint` is not taken at its word).
    const endpoint = this.bindingOf(platform);
    const value =
      'apiKey' in credentials
        ? { apiKey: credentials.apiKey, ...(endpoint === undefined ? {} : { endpoint }) }
        : { clientId: credentials.clientId, clientSecret: credentials.clientSecret };
    this.forget(platform);
    try {
      await this.secrets.store(SECRET_PREFIX + platform, JSON.stringify(value));
    } finally {
      this.forget(platform);
    }
    // What was just stored is what SecretStorage holds: the next request need not read it back.
    // (SecretStorage's change event, for this write or a later one elsewhere, drops it as any entry.)
    this.cache.set(platform, Promise.resolve(storedCredentials(value)));
  }

  async delete(platform: PlatformId): Promise<void> {
    this.forget(platform);
    try {
      await this.secrets.delete(SECRET_PREFIX + platform);
    } finally {
      this.forget(platform);
    }
  }

}

function platformOfSecret(key: string): PlatformId | undefined {
  if (!key.startsWith(SECRET_PREFIX)) return undefined;
  const platform = key.slice(SECRET_PREFIX.length);
  return (PLATFORM_IDS as readonly string[]).includes(platform) ? (platform as PlatformId) : undefined;
}

/** Keeps the `aiFunctions.<platform>.hasKey` context keys in step with the store. */
export class HasKeyContext extends Disposable {
  constructor(private readonly store: CredentialStore) {
    super();
    this._register(store.onDidChange((platform) => void this.update(platform)));
  }

  async updateAll(): Promise<void> {
    await Promise.all(PLATFORM_IDS.map((platform) => this.update(platform)));
  }

  private async update(platform: PlatformId): Promise<void> {
    const hasKey = await this.store.has(platform);
    await setContext(`aiFunctions.${platform}.hasKey`, hasKey);
  }
}
