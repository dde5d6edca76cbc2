// zod, loaded when a schema is first used instead of when a module is: code that runs at
// activation builds its schemas with `lazySchemas`, so activating never loads zod or builds a
// schema (together about 5 ms of the extension host's time, measured). In the bundles zod is
// dist/zod.js, one copy the entry bundle, the adapters and the run panel share (ZOD_BUNDLE in
// esbuild.mjs). Modules that load later (the adapters, the run panel) import zod as usual.
import type * as Zod from 'zod/mini';

let zod: typeof Zod | undefined;

/** zod/mini, required on the first call. */
export function loadZod(): typeof Zod {
  // require, not import: esbuild makes this a require of dist/zod.js, run when first called.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, on purpose
  return (zod ??= require('zod/mini') as typeof Zod);
}

/** Builds schemas on the first call (zod loaded then) and returns the same ones after. */
export function lazySchemas<T>(build: (z: typeof Zod) => T): () => T {
  let built: T | undefined;
  return () => (built ??= build(loadZod()));
}
