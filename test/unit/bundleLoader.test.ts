import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BundleLoader } from '../../src/core/bundleLoader';
import type { Logger } from '../../src/core/log';

/** Two bundles as esbuild writes them: `main.js` requires `./shared.js` and a Node builtin. */
function writeBundles(dir: string, sharedValue = 'one'): void {
  fs.writeFileSync(path.join(dir, 'shared.js'), `'use strict';\nmodule.exports = { value: ${JSON.stringify(sharedValue)}, made: Symbol('made') };\n`);
  fs.writeFileSync(
    path.join(dir, 'main.js'),
    `'use strict';\nconst shared = require("./shared.js");\nconst { join } = require("node:path");\n` +
      `function work(n) { let total = 0; for (let i = 0; i < n; i++) total += i; return total; }\n` +
      `module.exports = { shared, joined: join('a', 'b'), work, dir: __dirname, file: __filename };\n`,
  );
}

/** A logger that keeps what was traced. */
function tracing(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, trace: (m) => lines.push(m), debug: (m) => lines.push(m), info: () => undefined, warn: () => undefined, error: () => undefined };
}

type Main = { shared: { value: string; made: symbol }; joined: string; work: (n: number) => number; dir: string; file: string };

describe('BundleLoader: lazily loaded bundles with a V8 code cache', () => {
  let dir: string;
  let cacheDir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundles-'));
    cacheDir = path.join(dir, 'codeCache');
    writeBundles(dir);
  });

  /** Another "window": Node's require cache forgets the bundles, as a new extension host would. */
  const forgetLoaded = () => {
    for (const name of ['main.js', 'shared.js']) delete require.cache[path.join(dir, name)];
  };

  /** A window whose loader caches compiled code in cacheDir, and what it traced. */
  const cachingWindow = () => {
    const loader = new BundleLoader(dir);
    const log = tracing();
    loader.cacheIn(cacheDir, log);
    return { loader, log };
  };

  /** A first window that loads main.js and saves its cache, then is gone. */
  const firstWindowSaved = () => {
    const { loader } = cachingWindow();
    loader.load('./main.js');
    loader.save();
    forgetLoaded();
  };

  afterEach(() => {
    forgetLoaded();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads a bundle and the bundles it requires once, shared with plain require', () => {
    const loader = new BundleLoader(dir);
    const main = loader.load('./main.js') as Main;
    assert.equal(main.shared.value, 'one');
    assert.equal(main.joined, path.join('a', 'b'));
    assert.equal(main.dir, dir);
    assert.equal(main.file, path.join(dir, 'main.js'));
    // One instance, whichever way it is reached.
    assert.equal(loader.load('./shared.js'), main.shared);
    assert.equal(loader.load('./main.js'), main);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the plain require the bundles' own code makes
    assert.equal(require(path.join(dir, 'shared.js')), main.shared);
  });

  it('refuses a name that is not a bundle beside it', () => {
    const loader = new BundleLoader(dir);
    for (const bad of ['../main.js', './sub/main.js', 'main', 'node:fs', '/etc/passwd']) assert.throws(() => loader.load(bad), /is not a bundle/, bad);
  });

  it('writes no cache until it saves, then one file per bundle that the next window uses', () => {
    const { loader: first, log } = cachingWindow();
    (first.load('./main.js') as Main).work(1000);
    assert.equal(fs.existsSync(cacheDir), false);
    assert.match(log.lines.join('\n'), /Loaded main\.js in [\d.]+ ms \(code cache not made yet\)/);
    first.save();
    const files = fs.readdirSync(cacheDir).sort();
    assert.equal(files.length, 2);
    assert.match(files[0]!, new RegExp(`^main\\.js\\.[0-9a-f]{16}\\.v8-${process.versions.v8.replace(/\./g, '\\.')}$`));
    assert.match(files[1]!, /^shared\.js\./);

    forgetLoaded();
    const { loader: second, log: secondLog } = cachingWindow();
    assert.equal((second.load('./main.js') as Main).work(10), 45);
    assert.match(secondLog.lines.join('\n'), /Loaded main\.js in [\d.]+ ms \(code cache used\)/);
    assert.match(secondLog.lines.join('\n'), /Loaded shared\.js in [\d.]+ ms \(code cache used\)/);
    // Nothing new ran: saving again leaves the files as they are.
    const before = fs.readdirSync(cacheDir).map((f) => fs.statSync(path.join(cacheDir, f)).mtimeMs);
    second.save();
    assert.deepEqual(
      fs.readdirSync(cacheDir).map((f) => fs.statSync(path.join(cacheDir, f)).mtimeMs),
      before,
    );
  });

  it('ignores a damaged cache file, loads the bundle as usual and makes the cache anew', () => {
    firstWindowSaved();
    const mainCache = path.join(cacheDir, fs.readdirSync(cacheDir).find((f) => f.startsWith('main.js.'))!);
    const bytes = fs.readFileSync(mainCache);
    bytes[bytes.length - 10] ^= 0xff;
    fs.writeFileSync(mainCache, bytes);

    const { loader: second, log } = cachingWindow();
    assert.equal((second.load('./main.js') as Main).shared.value, 'one');
    assert.match(log.lines.join('\n'), /Loaded main\.js in [\d.]+ ms \(code cache not made yet\)/);
    second.save();
    assert.notDeepEqual(fs.readFileSync(mainCache), bytes);
  });

  it('keys the cache by the bundle content: a changed bundle gets its own, and the old one is removed', () => {
    firstWindowSaved();
    const old = fs.readdirSync(cacheDir).find((f) => f.startsWith('shared.js.'))!;

    writeBundles(dir, 'two');
    const { loader: second, log } = cachingWindow();
    assert.equal((second.load('./main.js') as Main).shared.value, 'two');
    assert.match(log.lines.join('\n'), /Loaded shared\.js in [\d.]+ ms \(code cache not made yet\)/);
    second.save();
    const shared = fs.readdirSync(cacheDir).filter((f) => f.startsWith('shared.js.'));
    assert.equal(shared.length, 1);
    assert.notEqual(shared[0], old);
  });

  it('leaves nothing in the require cache when a bundle throws as it loads', () => {
    fs.writeFileSync(path.join(dir, 'broken.js'), "throw new Error('broken at load');\n");
    const loader = new BundleLoader(dir);
    assert.throws(() => loader.load('./broken.js'), /broken at load/);
    assert.equal(require.cache[path.join(dir, 'broken.js')], undefined);
    assert.throws(() => loader.load('./broken.js'), /broken at load/);
  });

  it('loads without a cache where the cache folder cannot be written, and says so only in the log', () => {
    fs.writeFileSync(cacheDir, 'a file where the folder would be');
    const { loader, log } = cachingWindow();
    assert.equal((loader.load('./main.js') as Main).shared.value, 'one');
    loader.save();
    assert.match(log.lines.join('\n'), /Could not save the code cache of main\.js/);
  });
});
