// Loads the bundles that load on first use (dist/undici.js, dist/zod.js, the adapters, the lazily
// loaded features) with V8's code cache, as VS Code does for its own code. Compiling a bundle, and
// compiling each of its functions the first time it runs, is most of what the first request after
// a window opens costs (docs/benchmarks.md). A bundle's cache is made from the bundle as it has
// run (so it holds the functions a request ran, not only the top level) and is kept in the
// extension's global storage, keyed by the bundle's content and V8's version.
//
// esbuild.mjs points the entry bundle's requires of those bundles here (`throughBundleLoader`), and
// a bundle loaded here gets a require that loads the bundles it requires here too. Node's require
// cache holds every bundle loaded, so a bundle is one instance whichever way it was loaded.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { Module } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { Logger } from './log';

/** What a bundle's cache file starts with: the SHA-256 of the V8 data after it. */
const DIGEST_BYTES = 32;

/** A save pass runs this long after the last bundle load: the code that load was for has run by then. */
const SAVE_AFTER_MS = 20_000;

interface LoadedBundle {
  name: string;
  script: vm.Script;
  cacheFile: string;
  /** The size of the cache this bundle was loaded with (0: none, or V8 rejected it). */
  cachedBytes: number;
}

/** A bundle name: `undici.js`, never a path. */
const BUNDLE_NAME = /^[\w-]+\.js$/;

export class BundleLoader {
  private cache: { dir: string; log: Logger } | undefined;
  private readonly loaded: LoadedBundle[] = [];
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(private readonly dir: string) {}

  /** Caches compiled code in `dir` from now on (until then bundles load without a cache). */
  cacheIn(dir: string, log: Logger): void {
    this.cache = { dir, log };
  }

  /** A bundle's exports (`./undici.js`): loaded once, with its code cache when there is one. */
  load(specifier: string): unknown {
    const name = specifier.replace(/^\.\//, '');
    if (!BUNDLE_NAME.test(name)) throw new Error(`${specifier} is not a bundle`);
    const filename = path.join(this.dir, name);
    const existing = require.cache[filename];
    if (existing) return existing.exports;

    const started = performance.now();
    const source = fs.readFileSync(filename, 'utf8');
    const cacheFile = this.cache && path.join(this.cache.dir, `${name}.${createHash('sha256').update(source).digest('hex').slice(0, 16)}.v8-${process.versions.v8}`);
    const cachedData = cacheFile ? this.readCache(cacheFile) : undefined;
    const script = new vm.Script(Module.wrap(source), { filename, cachedData });

    const module = new Module(filename);
    module.filename = filename;
    module.paths = [];
    require.cache[filename] = module;
    // Node's own require for the rest (builtins, and `vscode`, which VS Code answers by the requiring file).
    const requireHere = (id: string): unknown => (id.startsWith('./') && BUNDLE_NAME.test(id.slice(2)) ? this.load(id) : module.require(id));
    try {
      (script.runInThisContext() as ModuleFunction).call(module.exports, module.exports, requireHere, module, filename, this.dir);
    } catch (error) {
      delete require.cache[filename];
      throw error;
    }
    module.loaded = true;
    if (this.cache && cacheFile) {
      const used = cachedData !== undefined && !script.cachedDataRejected;
      this.cache.log.trace(`Loaded ${name} in ${(performance.now() - started).toFixed(1)} ms (code cache ${used ? 'used' : cachedData ? 'rejected by V8' : 'not made yet'})`);
      this.loaded.push({ name, script, cacheFile, cachedBytes: used ? cachedData.length : 0 });
      this.saveSoon();
    }
    return module.exports;
  }

  /**
   * Writes the code cache of every bundle loaded that has none, or whose code has grown since (more
   * of its functions have run). Cheap when nothing grew: V8 serializes, nothing is written.
   */
  save(): void {
    clearTimeout(this.saveTimer);
    if (!this.cache) return;
    const { dir, log } = this.cache;
    for (const bundle of this.loaded) {
      try {
        const data = bundle.script.createCachedData();
        if (data.length <= bundle.cachedBytes) continue;
        fs.mkdirSync(dir, { recursive: true });
        const temporary = `${bundle.cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(temporary, Buffer.concat([createHash('sha256').update(data).digest(), data]));
        fs.renameSync(temporary, bundle.cacheFile);
        bundle.cachedBytes = data.length;
        // A cache of another version of this bundle, or of another V8, is never read again.
        for (const file of fs.readdirSync(dir)) {
          if (file.startsWith(`${bundle.name}.`) && path.join(dir, file) !== bundle.cacheFile && !file.endsWith('.tmp')) fs.rmSync(path.join(dir, file), { force: true });
        }
      } catch (error) {
        log.debug(`Could not save the code cache of ${bundle.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** The cache file's V8 data, when it is whole (its digest matches); V8 checks the rest. */
  private readCache(file: string): Buffer | undefined {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      return undefined;
    }
    const data = bytes.subarray(DIGEST_BYTES);
    return bytes.length > DIGEST_BYTES && createHash('sha256').update(data).digest().equals(bytes.subarray(0, DIGEST_BYTES)) ? data : undefined;
  }

  private saveSoon(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.save(), SAVE_AFTER_MS);
    this.saveTimer.unref();
  }
}

type ModuleFunction = (exports: unknown, require: (id: string) => unknown, module: Module, filename: string, dirname: string) => void;

/** The loader of the bundles beside the entry bundle (dist/): one per extension host, as the require cache is. */
export const bundles = new BundleLoader(__dirname);
