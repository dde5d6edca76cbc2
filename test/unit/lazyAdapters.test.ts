// The adapters the extension builds at activation are lazy wrappers (src/platforms/<name>/lazy.ts)
// that load the real adapter on first use. Abilities are asked with can(), which looks at the
// methods an adapter has, so each wrapper must have exactly the real adapter's methods.
import assert from 'node:assert/strict';
import type { PlatformAdapter } from '../../src/platforms/types';
import { ABILITIES, can } from '../../src/platforms/types';
import { AdapterLoader } from '../../src/platforms/adapterLoader';
import { HttpClient } from '../../src/core/http';
import type { Logger } from '../../src/core/log';
import { InferableAdapter, LazyInferableAdapter } from '../../src/platforms/inferable';
import { LazyNyckelAdapter, NyckelAdapter } from '../../src/platforms/nyckel';
import { LazySutroAdapter, SutroAdapter } from '../../src/platforms/sutro';

const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const OPTIONAL = ['keyBinding', 'endpointProblem'] as const;

function shape(adapter: PlatformAdapter) {
  return {
    id: adapter.id,
    descriptor: adapter.descriptor,
    abilities: ABILITIES.filter((a) => can(adapter, a)),
    optional: OPTIONAL.filter((m) => typeof adapter[m] === 'function'),
  };
}

describe('lazy adapters', () => {
  const http = new HttpClient({ logger: silent, timeouts: () => ({ connectMs: 1_000, firstByteMs: 1_000, totalMs: 1_000 }) });
  const noKey = async () => undefined;
  after(() => http.close());

  it('have the same id, descriptor and abilities as the adapters they load', () => {
    const sutroConfig = () => ({ api: 'deployment' as const, apiUrl: 'https://sutro.example', functionsUrl: '', functions: [] });
    const pairs: [PlatformAdapter, PlatformAdapter][] = [
      [new LazySutroAdapter({ http, logger: silent, credentials: noKey, config: sutroConfig }), new SutroAdapter({ http, logger: silent, credentials: noKey, config: sutroConfig })],
      [
        new LazyInferableAdapter({ http, logger: silent, credentials: noKey, config: () => ({ baseUrl: 'https://inferable.example', clusterId: 'c' }) }),
        new InferableAdapter({ http, logger: silent, credentials: noKey, config: () => ({ baseUrl: 'https://inferable.example', clusterId: 'c' }) }),
      ],
      [
        new LazyNyckelAdapter({ http, logger: silent, credentials: noKey, config: () => ({ baseUrl: 'https://nyckel.example' }) }),
        new NyckelAdapter({ http, logger: silent, credentials: noKey, config: () => ({ baseUrl: 'https://nyckel.example' }) }),
      ],
    ];
    for (const [lazy, real] of pairs) assert.deepEqual(shape(lazy), shape(real), lazy.id);
  });

  it('load the adapter on the first call, with the credentials read first, and pass its errors on', async () => {
    let reads = 0;
    const credentials = async () => {
      reads++;
      return undefined;
    };
    const lazy = new LazyNyckelAdapter({ http, logger: silent, credentials, config: () => ({ baseUrl: 'https://nyckel.example' }) });
    const loaded = () => (lazy as unknown as { loader: { adapter?: unknown } }).loader.adapter;
    assert.equal(loaded(), undefined);
    assert.equal(reads, 0, 'nothing is read before the platform is called');
    const first = lazy.listFunctions();
    assert.equal(reads, 1, 'the credentials are read before the adapter loads');
    await assert.rejects(first, /client|credentials|key/i);
    assert.ok(loaded() instanceof NyckelAdapter);
    await assert.rejects(lazy.run({ platform: 'nyckel', function: 'f', input: 'x' }), /client|credentials|key/i);
  });

  it('load at once when the credentials are already in memory, and after a turn of the event loop when they are read', async () => {
    const loadsBeforeATurn = async (credentials: () => Promise<{ apiKey: string } | undefined>): Promise<boolean> => {
      let turned = false;
      // A timer set before the loader's own wait (delay(0)) fires before it, whatever phase of the
      // event loop the test runs in; a setImmediate would not (from a check-phase callback, mocha's,
      // a due 1 ms timer runs first on a busy machine).
      setTimeout(() => (turned = true), 0);
      let loadedBeforeATurn: boolean | undefined;
      const loader = new AdapterLoader({ credentials, http: { loadUndici: () => undefined } }, () => (loadedBeforeATurn = !turned));
      await loader.get();
      return loadedBeforeATurn!;
    };
    assert.equal(await loadsBeforeATurn(() => Promise.resolve({ apiKey: 'sk_test_emulator' })), true, 'a key in memory: no wait');
    // A read that goes to VS Code's main side is sent when the turn ends: the loading waits for that.
    assert.equal(await loadsBeforeATurn(() => new Promise((resolve) => setTimeout(() => resolve(undefined), 50))), false, 'a read under way: it leaves first');
  });
});
