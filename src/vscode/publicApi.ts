// The object activate() returns: the public API, backed by the same services as the UI.
import type { AiFunctionsApi } from '../api';
import { PLATFORM_IDS, type Credentials, type PlatformId } from '../core/model';
import type { CredentialStore } from './secrets';

export class PublicApi implements AiFunctionsApi {
  readonly version = 1 as const;

  constructor(private readonly store: CredentialStore) {}

  async setApiKey(platform: PlatformId, credentials: Credentials): Promise<void> {
    if (!(PLATFORM_IDS as readonly string[]).includes(platform)) {
      throw new Error(`Unknown platform "${String(platform)}": use one of ${PLATFORM_IDS.join(', ')}.`);
    }
    await this.store.set(platform, credentials);
  }

  listFunctions(): Promise<never> {
    return notAvailableYet('listFunctions');
  }

  runFunction(): Promise<never> {
    return notAvailableYet('runFunction');
  }

  listJobs(): Promise<never> {
    return notAvailableYet('listJobs');
  }

  getJob(): Promise<never> {
    return notAvailableYet('getJob');
  }
}

function notAvailableYet(method: string): Promise<never> {
  return Promise.reject(new Error(`AI Functions: ${method} is not available yet in this version of the extension.`));
}
