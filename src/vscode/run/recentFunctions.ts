// The functions a user ran most recently, across restarts (pickers list them first; Sutro,
// which cannot list its functions, shows them in the Functions view).
import type * as vscode from 'vscode';
import type * as z from 'zod/mini';
import { lazySchemas } from '../../core/lazyZod';
import { PLATFORM_IDS, type PlatformId } from '../../core/model';

const STORAGE_KEY = 'aiFunctions.recentFunctions';
const MAX_ENTRIES = 30;

const entriesSchema = lazySchemas((z) => z.array(z.object({ platform: z.enum(PLATFORM_IDS), id: z.string(), usedAt: z.number() })));
export type RecentFunction = z.infer<ReturnType<typeof entriesSchema>>[number];

export class RecentFunctions {
  constructor(private readonly memento: vscode.Memento) {}

  list(platform?: PlatformId): RecentFunction[] {
    const parsed = entriesSchema().safeParse(this.memento.get(STORAGE_KEY, []));
    const entries = parsed.success ? parsed.data : [];
    return platform ? entries.filter((entry) => entry.platform === platform) : entries;
  }

  async record(platform: PlatformId, id: string, now = Date.now()): Promise<void> {
    const rest = this.list().filter((entry) => !(entry.platform === platform && entry.id === id));
    await this.memento.update(STORAGE_KEY, [{ platform, id, usedAt: now }, ...rest].slice(0, MAX_ENTRIES));
  }
}
