// Sutro cannot list its Functions: the list is the user's configured ones plus those run lately.
import type { SutroFunctionConfig } from '../../platforms/sutro';
import type { RecentFunctions } from '../run/recentFunctions';
import type { Settings } from '../base/settings';

export function sutroFunctionCatalog(settings: Settings, recent: RecentFunctions): SutroFunctionConfig[] {
  const configured = settings.sutroFunctions();
  const names = new Set(configured.map((f) => f.name));
  const recentOnly = recent
    .list('sutro')
    .filter((entry) => !names.has(entry.id) && entry.id !== '')
    .map((entry) => ({ name: entry.id }));
  return [...configured, ...recentOnly];
}
