// Reads the first rows of a job's results file (Parquet) with hyparquet. hyparquet is loaded on
// first use from its own bundle (dist/hyparquet.js, see HYPARQUET_BUNDLE in esbuild.mjs): the
// entry bundle never holds it and activation never loads it. The file is read through a handle,
// a slice at a time, so only the row groups holding the rows shown are ever in memory.
import { open, type FileHandle } from 'node:fs/promises';
import { AiFunctionsError } from '../../core/errors';

/** What dist/hyparquet.js exports (esbuild.mjs builds it from these names). */
type Hyparquet = Pick<typeof import('hyparquet'), 'parquetMetadataAsync' | 'parquetReadObjects'>;
let hyparquet: Hyparquet | undefined;

function load(): Hyparquet {
  // require, not import(): the bundle is CommonJS (see the undici bundles in esbuild.mjs).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, on purpose
  hyparquet ??= require('hyparquet') as Hyparquet;
  return hyparquet;
}

export interface ParquetPreview {
  /** The first rows, as objects keyed by column. */
  rows: Record<string, unknown>[];
  /** Every row in the file. */
  totalRows: number;
}

/** The first `limit` rows of a Parquet file and its row count. */
export async function readParquetRows(path: string, limit: number): Promise<ParquetPreview> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const file = { byteLength: size, slice: (start: number, end?: number) => readSlice(handle, start, end ?? size) };
    const lib = load();
    let metadata: Awaited<ReturnType<Hyparquet['parquetMetadataAsync']>>;
    try {
      metadata = await lib.parquetMetadataAsync(file);
    } catch (e) {
      throw new AiFunctionsError('invalidResponse', `Sutro's results file is not a Parquet file Sutro's SDK would read (${(e as Error).message}).`, {
        platform: 'sutro',
        cause: e,
      });
    }
    const totalRows = Number(metadata.num_rows);
    const rowEnd = Math.min(totalRows, limit);
    if (rowEnd === 0) return { rows: [], totalRows };
    try {
      const rows = await lib.parquetReadObjects({ file, metadata, rowStart: 0, rowEnd });
      return { rows, totalRows };
    } catch (e) {
      // e.g. a codec hyparquet has no decompressor for (it reads Snappy and uncompressed pages).
      throw new AiFunctionsError('invalidResponse', `Could not read Sutro's results file ${path}: ${(e as Error).message}.`, { platform: 'sutro', cause: e });
    }
  } finally {
    await handle.close();
  }
}

async function readSlice(handle: FileHandle, start: number, end: number): Promise<ArrayBuffer> {
  const length = Math.max(0, end - start);
  // Buffer.alloc never comes from the shared pool: its ArrayBuffer is exactly this slice.
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, start + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.buffer as ArrayBuffer;
}
