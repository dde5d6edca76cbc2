// The journal of a file run: one JSON line per event, appended with a synchronous write so it is
// in the operating system's hands before the row counts as finished (a window reload or a crash
// of the extension host loses nothing written). Lines:
//   {"l": layout}                the answer columns, once fixed
//   {"i": index, "a": answer}    row `index` finished (written as soon as it does)
//   {"w": items, "r": rows, "b": bytes, "d": done, "f": failed}
//                                the results file holds its first `items` items (`rows` rows) in
//                                `bytes` bytes, in order; anything after is provisional
// Read back through zod; a torn last line is ignored.
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import * as z from 'zod/mini';
import type { Answer, AnswerLayout } from './answers';
import { layoutSchema } from './manifest';

const errorSchema = z.object({ kind: z.string(), message: z.string() });
const answerSchema = z.object({
  result: z.optional(z.record(z.string(), z.unknown())),
  values: z.optional(z.record(z.string(), z.unknown())),
  error: z.optional(errorSchema),
});
const lineSchema = z.union([
  z.object({ l: layoutSchema }),
  z.object({ i: z.number(), a: answerSchema }),
  z.object({ w: z.number(), r: z.number(), b: z.number(), d: z.number(), f: z.number() }),
]);

export interface Checkpoint {
  /** Source items (header, blank lines, rows) written in order. */
  items: number;
  rows: number;
  bytes: number;
  /** Of `rows`, finished (answered, failed or unreadable) and failed. */
  done: number;
  failed: number;
}

export const START: Checkpoint = { items: 0, rows: 0, bytes: 0, done: 0, failed: 0 };

export class Journal {
  private fd: number | undefined;

  constructor(
    readonly path: string,
    fresh: boolean,
  ) {
    this.fd = openSync(path, fresh ? 'w' : 'a');
  }

  layout(layout: AnswerLayout): void {
    this.append({ l: layout });
  }

  finished(index: number, answer: Answer): void {
    this.append({ i: index, a: answer });
  }

  checkpoint(c: Checkpoint): void {
    this.append({ w: c.items, r: c.rows, b: c.bytes, d: c.done, f: c.failed });
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private append(value: unknown): void {
    if (this.fd === undefined) throw new Error('The run journal is closed.');
    writeSync(this.fd, JSON.stringify(value) + '\n');
  }
}

export interface JournalState {
  layout?: AnswerLayout;
  checkpoint: Checkpoint;
  /** Rows finished after the checkpoint's, by index: at most a reorder window of them. */
  finished: Map<number, Answer>;
}

/** Reads a journal back, holding only the rows past the last checkpoint. */
export async function readJournal(path: string): Promise<JournalState> {
  const state: JournalState = { checkpoint: START, finished: new Map() };
  let stream;
  try {
    stream = createReadStream(path, { encoding: 'utf8' });
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue; // the torn end of a write cut short
      }
      const parsed = lineSchema.safeParse(value);
      if (!parsed.success) continue;
      const entry = parsed.data;
      if ('l' in entry) state.layout = entry.l;
      else if ('i' in entry) {
        if (entry.i >= state.checkpoint.rows) state.finished.set(entry.i, entry.a as Answer);
      } else {
        state.checkpoint = { items: entry.w, rows: entry.r, bytes: entry.b, done: entry.d, failed: entry.f };
        for (const index of state.finished.keys()) if (index < entry.r) state.finished.delete(index);
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  } finally {
    stream?.destroy();
  }
  return state;
}
