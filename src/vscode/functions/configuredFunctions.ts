// A platform without an endpoint that lists its functions (its descriptor says `listed: false`):
// its functions are the ones the user names in settings, plus those run lately.
import type { PlatformId } from '../../core/model';
import type { RecentFunctions } from '../run';

export interface ConfiguredFunction {
  name: string;
  inputFields?: string[];
}

export interface ConfiguredFunctions {
  platform: PlatformId;
  list(): ConfiguredFunction[];
  save(functions: ConfiguredFunction[]): Promise<void>;
}

/** The configured functions, then the recently run ones not among them. */
export function functionCatalog(configured: ConfiguredFunctions, recent: RecentFunctions): ConfiguredFunction[] {
  const listed = configured.list();
  const names = new Set(listed.map((f) => f.name));
  const recentOnly = recent
    .list(configured.platform)
    .filter((entry) => !names.has(entry.id) && entry.id !== '')
    .map((entry) => ({ name: entry.id }));
  return [...listed, ...recentOnly];
}
