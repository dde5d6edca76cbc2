// What produced a results file, kept beside its journal in the extension's storage: the function,
// its options, the source file (with its size and modification time, so a resume can tell it
// changed), the results file, its answer columns, the counts and the state. Read back through zod:
// the files may be from an older version or damaged.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { PLATFORM_IDS } from '../model';
import { CSV_DELIMITERS, ROW_FORMATS } from '../rows';
import { RESULTS_FORMATS } from './answers';

const countsSchema = z.object({
  /** Rows in the source (undefined until counted). */
  total: z.optional(z.number()),
  /** Rows finished: answered, failed or unreadable. */
  done: z.number(),
  failed: z.number(),
  unreadable: z.number(),
});
export type RunCounts = z.infer<typeof countsSchema>;

export const layoutSchema = z.object({
  kind: z.enum(['classification', 'fields', 'output']),
  fields: z.array(z.string()),
  columns: z.array(z.string()),
});

export const manifestSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  fn: z.object({ platform: z.enum(PLATFORM_IDS), id: z.string(), name: z.string() }),
  options: z.optional(z.record(z.string(), z.unknown())),
  concurrency: z.number(),
  source: z.object({
    path: z.string(),
    size: z.number(),
    mtimeMs: z.number(),
    format: z.enum(ROW_FORMATS),
    delimiter: z.enum(CSV_DELIMITERS),
    columns: z.optional(z.array(z.string())),
  }),
  results: z.object({ path: z.string(), format: z.enum(RESULTS_FORMATS) }),
  /** Fixed by the first answer; until then undefined. */
  layout: z.optional(layoutSchema),
  counts: countsSchema,
  state: z.enum(['running', 'stopped', 'done']),
  startedAt: z.number(),
  updatedAt: z.number(),
});
export type RunManifest = z.infer<typeof manifestSchema>;

/** Manifests kept (the oldest finished ones are forgotten). */
const MAX_MANIFESTS = 50;

/** The manifests and journals of file runs, one pair per run, in one folder. */
export class ManifestStore {
  constructor(readonly dir: string) {}

  journalPath(id: string): string {
    return join(this.dir, `${id}.journal`);
  }

  /** Written whole to a temporary file, then renamed: a reader never sees half of one. */
  save(manifest: RunManifest): void {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, `${manifest.id}.json`);
    writeFileSync(`${path}.tmp`, JSON.stringify(manifest));
    renameSync(`${path}.tmp`, path);
  }

  get(id: string): RunManifest | undefined {
    try {
      const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(join(this.dir, `${id}.json`), 'utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  list(): RunManifest[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .filter((n) => n.endsWith('.json'))
      .flatMap((n) => this.get(n.slice(0, -'.json'.length)) ?? [])
      .sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** The newest manifest of the results file at `path`. */
  forResults(path: string): RunManifest | undefined {
    return this.list().find((m) => samePath(m.results.path, path));
  }

  interrupted(): RunManifest[] {
    return this.list().filter((m) => m.state !== 'done');
  }

  removeJournal(id: string): void {
    rmSync(this.journalPath(id), { force: true });
  }

  remove(id: string): void {
    rmSync(join(this.dir, `${id}.json`), { force: true });
    rmSync(this.journalPath(id), { force: true });
  }

  /** Forgets finished runs past MAX_MANIFESTS, and older runs of the same results file. */
  prune(): void {
    const seen = new Set<string>();
    let kept = 0;
    for (const m of this.list()) {
      const key = m.results.path;
      if (seen.has(key) || (m.state === 'done' && kept >= MAX_MANIFESTS)) this.remove(m.id);
      else {
        seen.add(key);
        kept++;
      }
    }
  }
}

function samePath(a: string, b: string): boolean {
  return process.platform === 'win32' || process.platform === 'darwin' ? a.toLowerCase() === b.toLowerCase() : a === b;
}
