// Builds the extension (dist/extension.js), the run panel's browser code (dist/webview.js,
// dist/panelApp.js, dist/runPanel.css)
// and, with --tests, transpiles src/ and test/ file by file into out/ for mocha.
import * as esbuild from 'esbuild';
import { Blob, Face, Font } from 'harfbuzzjs';
import subsetFont from 'subset-font';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');
/** `--metafile=<file>`: writes esbuild's metafile of the entry bundle there (the start-up benchmark reads it). */
const metafile = process.argv.find((arg) => arg.startsWith('--metafile='))?.slice('--metafile='.length);

/** Prints errors as `file:line:col` so VS Code's `$esbuild-watch` problem matcher finds them. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

const shared = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  legalComments: 'none',
  plugins: [problemMatcher],
  // jsonc-parser's `main` is UMD, whose inner requires esbuild cannot follow: use its ES modules.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
};

/**
 * undici is loaded on the first request from bundles of its own, never at activation. Each holds
 * only what core/http.ts takes from it: undici's index also builds fetch, WebSocket, the cache
 * stores, the mocks and every agent (535 KB, about 85 ms to require in the extension host),
 * where Pool alone is 283 KB and about 20 ms. http.ts's types allow only the exports listed
 * here, so using more of undici fails to compile until it is added.
 *
 * The proxy agent is PROXY_BUNDLE below: http.ts requires it only when a proxy is configured for
 * a request, so activation and requests without one never load it.
 */
const UNDICI_BUNDLES = [
  {
    specifier: 'undici',
    outfile: 'dist/undici.js',
    exports: { Pool: 'undici/lib/dispatcher/pool.js' },
  },
];

/**
 * Requests through a proxy: src/core/proxyAgents.ts with undici's ProxyAgent (and the `connect` it
 * tunnels with), a bundle of its own (about 300 KB, much of it undici's Pool and Client again).
 * http.ts requires `./proxyAgents` only when a proxy is configured; the unit tests run the same
 * file unbundled.
 */
const PROXY_BUNDLE = { specifier: './proxyAgents', entry: 'src/core/proxyAgents.ts', outfile: 'dist/undici-proxy.js' };

/**
 * undici's HTTP/2 client is left out of dist/undici.js: loading it requires node:http2 (about
 * 5 ms in the extension host, on the first request), and it runs only for a Pool made with
 * `allowH2`, which POOL_OPTIONS in http.ts never sets. Should a socket still negotiate h2, the stub
 * throws, and the request fails with a network error instead of being sent over HTTP/2.
 */
const withoutHttp2 = {
  name: 'undici-without-http2',
  setup(build) {
    build.onResolve({ filter: /^\.\/client-h2\.js$/ }, (args) =>
      /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/.test(args.importer) ? { path: 'client-h2', namespace: 'undici-without-http2' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'undici-without-http2' }, () => ({
      contents: "module.exports = function connectH2() { throw new Error('HTTP/2 is not in this build of undici (esbuild.mjs)'); };\n",
      loader: 'js',
    }));
  },
};

/**
 * Points http.ts's requires at the undici bundles beside the entry bundle. Any other import of
 * undici fails the build: it would pull undici into the bundle that loads at activation.
 */
const undiciAsSeparateBundles = {
  name: 'undici-as-separate-bundles',
  setup(build) {
    const files = new Map(UNDICI_BUNDLES.map(({ specifier, outfile }) => [specifier, `./${outfile.slice('dist/'.length)}`]));
    build.onResolve({ filter: /^undici(\/|$)/ }, (args) => {
      const file = files.get(args.path);
      if (file) return { path: file, external: true };
      return { errors: [{ text: `"${args.path}" is not one of the undici bundles (UNDICI_BUNDLES in esbuild.mjs)` }] };
    });
    build.onResolve({ filter: /^\.\/proxyAgents$/ }, (args) =>
      /[\\/]src[\\/]core[\\/]http\.ts$/.test(args.importer) ? { path: `./${PROXY_BUNDLE.outfile.slice('dist/'.length)}`, external: true } : undefined,
    );
  },
};

/**
 * hyparquet (the Parquet reader for Sutro results too large to hold in memory) is loaded on first
 * use from a bundle of its own, like undici: src/platforms/sutro/parquet.ts requires 'hyparquet',
 * and gets dist/hyparquet.js with only the two functions it uses. hyparquet ships ES modules;
 * the bundle is CommonJS, so a plain require loads it.
 */
const HYPARQUET_BUNDLE = {
  specifier: 'hyparquet',
  outfile: 'dist/hyparquet.js',
  exports: { parquetMetadataAsync: 'hyparquet/src/metadata.js', parquetReadObjects: 'hyparquet/src/read.js' },
};

const hyparquetAsSeparateBundle = {
  name: 'hyparquet-as-separate-bundle',
  setup(build) {
    build.onResolve({ filter: /^hyparquet(\/|$)/ }, (args) =>
      args.path === HYPARQUET_BUNDLE.specifier
        ? { path: `./${HYPARQUET_BUNDLE.outfile.slice('dist/'.length)}`, external: true }
        : { errors: [{ text: `"${args.path}" is not the hyparquet bundle (HYPARQUET_BUNDLE in esbuild.mjs)` }] },
    );
  },
};

/**
 * Every platform adapter proper (its schemas, mapping and everything that talks to the platform)
 * is loaded on first use from a bundle of its own, dist/<platform>.js: src/platforms/<platform>/lazy.ts,
 * in the entry bundle, answers the descriptor (and Sutro's key deployment) at once and requires
 * './client' when the platform is first called. A platform folder with a lazy.ts gets its bundle.
 */
const LAZY_ADAPTERS = readdirSync('src/platforms', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join('src/platforms', entry.name, 'lazy.ts')))
  .map(({ name }) => ({ entry: `src/platforms/${name}/client.ts`, outfile: `dist/${name}.js` }));

const adaptersAsSeparateBundles = {
  name: 'adapters-as-separate-bundles',
  setup(build) {
    build.onResolve({ filter: /^\.\/client$/ }, (args) => {
      const platform = /[\\/]platforms[\\/]([^\\/]+)[\\/]lazy\.ts$/.exec(args.importer)?.[1];
      return platform ? { path: `./${platform}.js`, external: true } : undefined;
    });
  },
};

/**
 * zod/mini is one bundle of its own, dist/zod.js, that the entry bundle, the adapters and the run
 * panel share: the entry bundle requires it only when a schema is first used (src/core/lazyZod.ts),
 * so activation never loads it, and it is loaded once, not once per bundle. The webview has its own.
 */
const ZOD_BUNDLE = { specifier: 'zod/mini', outfile: 'dist/zod.js' };

/**
 * What dist/zod.js exports: the zod functions src/ uses (every use is written `z.<name>`), so the
 * bundle holds only those, as tree-shaking gave each bundle before (all of zod/mini is 465 KB).
 * Names that are not zod's values (`z.infer`, types) are left out.
 */
async function zodExports() {
  const zod = await import(ZOD_BUNDLE.specifier);
  const used = new Set(listTs('src').flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\bz\.([A-Za-z_$][\w$]*)/g)].map((m) => m[1])));
  return [...used].filter((name) => name in zod).sort();
}

const zodAsSeparateBundle = {
  name: 'zod-as-separate-bundle',
  setup(build) {
    build.onResolve({ filter: /^zod(\/|$)/ }, (args) =>
      args.path === ZOD_BUNDLE.specifier
        ? { path: `./${ZOD_BUNDLE.outfile.slice('dist/'.length)}`, external: true }
        : { errors: [{ text: `"${args.path}" is not the zod bundle (ZOD_BUNDLE in esbuild.mjs)` }] },
    );
  },
};

/**
 * The features loaded on first use, each by its Lazy* wrapper's `require('<specifier>')`: the run
 * panel (lazyRunPanel.ts), the rows commands (lazyRows.ts) and Evaluate (lazyEvaluate.ts). Each is a
 * bundle of its own; the plugin points the wrapper's require at it.
 */
const LAZY_FEATURES = [
  { specifier: './runPanel', importer: 'lazyRunPanel.ts', entry: 'src/vscode/panel/runPanel.ts', outfile: 'dist/runPanel.js' },
  { specifier: './rowsFeature', importer: 'lazyRows.ts', entry: 'src/vscode/rows/rowsFeature.ts', outfile: 'dist/rows.js' },
  { specifier: './evaluation', importer: 'lazyEvaluate.ts', entry: 'src/vscode/evaluate/evaluation.ts', outfile: 'dist/evaluate.js' },
];

const featuresAsSeparateBundles = {
  name: 'features-as-separate-bundles',
  setup(build) {
    build.onResolve({ filter: /^\.\/[A-Za-z]+$/ }, (args) => {
      const feature = LAZY_FEATURES.find((f) => f.specifier === args.path && args.importer.endsWith(f.importer));
      return feature ? { path: `./${feature.outfile.slice('dist/'.length)}`, external: true } : undefined;
    });
  },
};

/**
 * `import * as vscode from 'vscode'` bundles to `__toESM(require('vscode'))`, which copies every
 * property of the API object (a few hundred) onto a new object as a getter, once per importing
 * module: 18 times in dist/extension.js, the largest single cost of loading it (about 5–10 ms of
 * the activation). The API object has no default export to emulate, so the namespace import is
 * bundled as a plain require of the same object, made once in a module of its own that every
 * importer shares (one `require('vscode')` in the bundle, not one per importing file). Type-only
 * imports are left alone.
 */
const vscodeImportAsRequire = {
  name: 'vscode-import-as-require',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      return { contents: source.replace(/^import \* as (\w+) from 'vscode';$/gm, "import { vscodeApi as $1 } from 'vscode-api';"), loader: 'ts' };
    });
    build.onResolve({ filter: /^vscode-api$/ }, () => ({ path: 'vscode-api', namespace: 'vscode-api' }));
    build.onLoad({ filter: /.*/, namespace: 'vscode-api' }, () => ({ contents: "export const vscodeApi = require('vscode');", loader: 'js' }));
  },
};

/**
 * The entry bundle's exports, as VS Code reads them: `module.exports = { activate, deactivate }`.
 * Bundling src/extension.ts as the entry point itself makes esbuild add its ESM-to-CommonJS
 * helpers (`__export`, `__copyProps`, `__toCommonJS`: about 500 bytes of dist/extension.js) to
 * build the same object. The directive keeps the bundle in strict mode, as that output was.
 */
const extensionEntry = {
  stdin: {
    contents: "'use strict';\nimport { activate, deactivate } from './src/extension';\nmodule.exports = { activate, deactivate };\n",
    resolveDir: '.',
    loader: 'ts',
    sourcefile: 'extension-entry.ts',
  },
};

/**
 * The extension host's bundles: CommonJS for Node 20. Node reads every module as UTF-8, so they
 * keep text as it is written ("…", "’") instead of escaping each such character as `\uXXXX` (six
 * bytes for one).
 */
const node = { charset: 'utf8', format: 'cjs', platform: 'node', target: 'node20' };

/**
 * The entry bundle loads the bundles above through src/core/bundleLoader.ts, which keeps V8's code
 * cache of each: `throughBundleLoader(plugin)` turns the plugin's external `./<bundle>.js` into a
 * call of the loader. The lazily loaded bundles need no change: the loader gives each a require
 * that loads the bundles it requires the same way.
 */
const BUNDLE_LOADER = join(process.cwd(), 'src/core/bundleLoader.ts');

function throughBundleLoader(plugin) {
  return {
    name: `${plugin.name}-through-bundle-loader`,
    setup(build) {
      plugin.setup({
        ...build,
        onResolve: (options, callback) =>
          build.onResolve(options, async (args) => {
            const result = await callback(args);
            return result?.external && /^\.\/[\w-]+\.js$/.test(result.path) ? { path: result.path, namespace: 'bundle-loader' } : result;
          }),
      });
    },
  };
}

const bundleLoader = {
  name: 'bundle-loader',
  setup(build) {
    build.onLoad({ filter: /.*/, namespace: 'bundle-loader' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(BUNDLE_LOADER)}).bundles.load(${JSON.stringify(args.path)});\n`,
      resolveDir: '.',
      loader: 'js',
    }));
  },
};

const builds = [
  {
    ...shared,
    ...node,
    ...extensionEntry,
    outfile: 'dist/extension.js',
    external: ['vscode'],
    metafile: Boolean(metafile),
    plugins: [
      ...shared.plugins,
      vscodeImportAsRequire,
      ...[undiciAsSeparateBundles, hyparquetAsSeparateBundle, zodAsSeparateBundle, adaptersAsSeparateBundles, featuresAsSeparateBundles].map(throughBundleLoader),
      bundleLoader,
    ],
  },
  ...LAZY_ADAPTERS.map(({ entry, outfile }) => ({
    ...shared,
    ...node,
    entryPoints: [entry],
    outfile,
    plugins: [...shared.plugins, undiciAsSeparateBundles, hyparquetAsSeparateBundle, zodAsSeparateBundle],
  })),
  {
    ...shared,
    ...node,
    stdin: { contents: `export { ${(await zodExports()).join(', ')} } from ${JSON.stringify(ZOD_BUNDLE.specifier)};\n`, resolveDir: '.', loader: 'js' },
    outfile: ZOD_BUNDLE.outfile,
  },
  ...LAZY_FEATURES.map(({ entry, outfile }) => ({
    ...shared,
    ...node,
    entryPoints: [entry],
    outfile,
    external: ['vscode'],
    plugins: [...shared.plugins, vscodeImportAsRequire, undiciAsSeparateBundles, hyparquetAsSeparateBundle, zodAsSeparateBundle],
  })),
  ...[...UNDICI_BUNDLES, HYPARQUET_BUNDLE].map(({ specifier, outfile, exports }) => ({
    ...shared,
    stdin: {
      contents: `module.exports = {\n${Object.entries(exports).map(([name, module]) => `  ${name}: require(${JSON.stringify(module)})${specifier === HYPARQUET_BUNDLE.specifier ? `.${name}` : ''},`).join('\n')}\n};\n`,
      resolveDir: '.',
      loader: 'js',
    },
    outfile,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    plugins: [...shared.plugins, ...(UNDICI_BUNDLES.some((bundle) => bundle.outfile === outfile) ? [withoutHttp2] : [])],
  })),
  {
    ...shared,
    entryPoints: [PROXY_BUNDLE.entry],
    outfile: PROXY_BUNDLE.outfile,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
  },
  // The run panel itself: dist/webview.js (runPanelBuilds below) loads it after the first paint.
  {
    ...shared,
    entryPoints: ['webview/panelApp.ts'],
    outfile: 'dist/panelApp.js',
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
  },
  {
    ...shared,
    entryPoints: ['webview/evaluation/main.ts'],
    outfile: 'dist/evaluation.js',
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
  },
];

function listTs(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listTs(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * The codicons the run panel shows (webview/codicons.ts): the stylesheet's base rules and
 * modifiers, then one rule per icon, and a font with those icons' glyphs only (about 4 KB instead
 * of 123 KB), checked against the package's font outline by outline, so a subset that lost or
 * changed an icon fails the build. The stylesheet's own font face goes: the font travels in
 * dist/webview.js (runPanelBuilds below).
 */
async function codicons() {
  const css = readFileSync('node_modules/@vscode/codicons/dist/codicon.css', 'utf8');
  const fontFace = /@font-face\s*\{[^}]*url\("\.\/codicon\.ttf\?[0-9a-f]+"\)[^}]*\}\s*/;
  const firstIcon = css.search(/\.codicon-[a-z0-9-]+:before\s*\{/);
  const list = /export const CODICONS = \[([^\]]*)\] as const/.exec(readFileSync('webview/codicons.ts', 'utf8'))?.[1];
  if (!fontFace.test(css) || firstIcon < 0 || list === undefined) throw new Error('codicon.css or webview/codicons.ts changed shape: check codicons() in esbuild.mjs');
  const icons = [...list.matchAll(/'([a-z0-9-]+)'/g)].map(([, name]) => {
    const rule = new RegExp(`\\.codicon-${name}:before\\s*\\{\\s*content:\\s*"\\\\([0-9a-f]+)"\\s*\\}`).exec(css);
    if (!rule) throw new Error(`webview/codicons.ts lists "${name}", which @vscode/codicons does not have`);
    return { name, rule: rule[0], codePoint: parseInt(rule[1], 16) };
  });

  const full = readFileSync('node_modules/@vscode/codicons/dist/codicon.ttf');
  const subset = await subsetFont(full, String.fromCodePoint(...icons.map((icon) => icon.codePoint)), { targetFormat: 'truetype' });
  const outlines = (font) => {
    const face = new Font(new Face(new Blob(font), 0));
    return icons.map(({ codePoint }) => {
      const glyph = face.nominalGlyph(codePoint);
      return glyph === undefined ? undefined : face.glyphToPath(glyph);
    });
  };
  const [expected, actual] = [outlines(full), outlines(subset)];
  icons.forEach(({ name }, i) => {
    if (!expected[i] || actual[i] !== expected[i]) throw new Error(`the codicon font's subset lost or changed the "${name}" icon`);
  });
  return { css: `${css.slice(0, firstIcon).replace(fontFace, '')}${icons.map((icon) => icon.rule).join('\n')}\n`, font: subset };
}

/**
 * The two files the run panel's HTML names: its one stylesheet, dist/runPanel.css (the codicons
 * above, then media/runPanel.css), and dist/webview.js, which carries the codicon font and loads
 * the panel itself (dist/panelApp.js) after the first paint. The panel's frame shows once every
 * file its HTML names has arrived, each a round trip through VS Code's webview resource loading.
 * The font travels as the bytes of a FontFace (webview/codiconFont.ts): as a file it would be a
 * third round trip, and as a data: URL the CSP would have to allow data: fonts.
 */
function runPanelBuilds({ css, font }) {
  return [
    {
      ...shared,
      stdin: { contents: '@import "codicons.css";\n@import "./media/runPanel.css";\n', resolveDir: '.', loader: 'css', sourcefile: 'runPanel.css' },
      outfile: 'dist/runPanel.css',
      plugins: [
        ...shared.plugins,
        {
          name: 'codicons',
          setup(build) {
            build.onResolve({ filter: /^codicons\.css$/ }, (args) => ({ path: args.path, namespace: 'codicons' }));
            build.onLoad({ filter: /.*/, namespace: 'codicons' }, () => ({ contents: css, loader: 'css' }));
          },
        },
      ],
    },
    {
      ...shared,
      entryPoints: ['webview/main.ts'],
      outfile: 'dist/webview.js',
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      define: { CODICON_FONT: JSON.stringify(Buffer.from(font).toString('base64')) },
    },
  ];
}

if (tests) {
  await esbuild.build({
    entryPoints: [...listTs('src'), ...listTs('test'), ...listTs('webview')],
    outdir: 'out',
    outbase: '.',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
} else {
  builds.push(...runPanelBuilds(await codicons()));
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  if (watch) {
    await Promise.all(contexts.map((ctx) => ctx.watch()));
  } else {
    const results = await Promise.allSettled(contexts.map((ctx) => ctx.rebuild()));
    const entry = results[builds.findIndex((options) => options.outfile === 'dist/extension.js')];
    if (metafile && entry.status === 'fulfilled') writeFileSync(metafile, JSON.stringify(entry.value.metafile));
    await Promise.all(contexts.map((ctx) => ctx.dispose()));
    if (results.some((r) => r.status === 'rejected')) process.exit(1);
  }
}
