// Builds the extension (dist/extension.js), the run panel's browser code (dist/webview.js)
// and, with --tests, transpiles src/ and test/ file by file into out/ for mocha.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

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
 * undici is most of the HTTP stack's size and is only needed at the first request, so it gets
 * its own bundle (dist/undici.js) that core/http.ts loads on first use; activation stays small.
 */
const undiciAsSeparateBundle = {
  name: 'undici-as-separate-bundle',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: './undici.js', external: true }));
  },
};

/** The run panel is loaded on first use from its own bundle (dist/runPanel.js); see lazyRunPanel.ts. */
const runPanelAsSeparateBundle = {
  name: 'run-panel-as-separate-bundle',
  setup(build) {
    build.onResolve({ filter: /^\.\/runPanel$/ }, (args) =>
      args.importer.endsWith('lazyRunPanel.ts') ? { path: './runPanel.js', external: true } : undefined,
    );
  },
};

const builds = [
  {
    ...shared,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode'],
    plugins: [...shared.plugins, undiciAsSeparateBundle, runPanelAsSeparateBundle],
  },
  {
    ...shared,
    entryPoints: ['src/vscode/panel/runPanel.ts'],
    outfile: 'dist/runPanel.js',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode'],
    plugins: [...shared.plugins, undiciAsSeparateBundle],
  },
  {
    ...shared,
    stdin: { contents: "module.exports = require('undici');", resolveDir: '.', loader: 'js' },
    outfile: 'dist/undici.js',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
  },
  {
    ...shared,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
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

function copyCodicons() {
  mkdirSync('dist/codicons', { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) {
    cpSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/codicons/${file}`);
  }
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
  copyCodicons();
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  if (watch) {
    await Promise.all(contexts.map((ctx) => ctx.watch()));
  } else {
    const results = await Promise.allSettled(contexts.map((ctx) => ctx.rebuild()));
    await Promise.all(contexts.map((ctx) => ctx.dispose()));
    if (results.some((r) => r.status === 'rejected')) process.exit(1);
  }
}
