// Start-up: the production bundles (sizes, and what fills the entry bundle, from esbuild's
// metafile), the time from a cold require of the HTTP client to its first answered request,
// and activate() in a real extension host (code-server + headless Chromium).
//
// The production build goes to a scratch copy of the extension (.vscode-test/bench/ext: links to
// src/, node_modules/, package.json…, its own dist/), so the dist/ that tests use is untouched.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser } from 'playwright-core';
import { format } from 'node:util';
import { SUTRO_DEFAULT_KEY, SutroEmulator } from '../emulator/sutro';
import {
  DEFAULT_USER_SETTINGS,
  ensureCodeServer,
  ensureSystemPackages,
  launchBrowser,
  remoteUri,
  startCodeServer,
  workbenchUrl,
  type CodeServer,
} from '../host/codeServer';
import { kib, median, printTable, ROOT, round, runChildJson, startChild, stopChild } from './util';

export interface StartupOptions {
  /** Separate VS Code start-ups to time activate() in (the median counts). */
  hostRuns: number;
  /** Fresh node processes for the first-request timing (the median counts). */
  coldRuns: number;
}

export interface BundleFile {
  file: string;
  bytes: number;
}

export interface HostRun {
  loadMs?: number;
  activateCallMs?: number;
  activationTotalMs?: number;
  firstApiRequestMs?: number;
  secondApiRequestMs?: number;
  error?: string;
}

export interface StartupResult {
  bundles: BundleFile[];
  entryBundleBytes: number;
  /** Every .js bundle in dist/. */
  totalBundleBytes: number;
  /** The biggest parts of the entry bundle (minified bytes in the output). */
  entryBundleParts: { part: string; bytes: number }[];
  /** Cold node process: require the production HTTP client, then its first request (dist/undici.js loaded then). */
  requireClientMs: number;
  undiciRequireMs: number;
  firstRequestMs: number;
  secondRequestMs: number;
  /** Median over the VS Code start-ups; null when none could run. */
  activateMs: number | null;
  loadMainMs: number | null;
  activationTotalMs: number | null;
  firstApiRequestMs: number | null;
  hostRuns: HostRun[];
}

const SCRATCH = path.join(ROOT, '.vscode-test', 'bench');
const EXT_DIR = path.join(SCRATCH, 'ext');
const LINKED = ['src', 'webview', 'media', 'node_modules', 'package.json', 'esbuild.mjs', 'tsconfig.json', 'LICENSE', 'README.md', 'CHANGELOG.md'];

/** `node esbuild.mjs --production` in the scratch copy; returns its dist/ files. */
function productionBuild(): BundleFile[] {
  fs.rmSync(EXT_DIR, { recursive: true, force: true });
  fs.mkdirSync(EXT_DIR, { recursive: true });
  for (const name of LINKED) {
    if (fs.existsSync(path.join(ROOT, name))) fs.symlinkSync(path.join(ROOT, name), path.join(EXT_DIR, name));
  }
  const build = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: EXT_DIR, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`node esbuild.mjs --production failed:\n${build.stdout}${build.stderr}`);
  const dist = path.join(EXT_DIR, 'dist');
  return fs
    .readdirSync(dist)
    .filter((f) => f.endsWith('.js'))
    .sort()
    .map((file) => ({ file: `dist/${file}`, bytes: fs.statSync(path.join(dist, file)).size }));
}

const WHEN_LOADED: Record<string, string> = {
  'dist/extension.js': 'on activation',
  'dist/undici.js': 'on the first request',
  'dist/runPanel.js': 'when a run panel opens',
  'dist/webview.js': 'in the webview',
};

/** The entry bundle's parts by minified size, from esbuild's metafile (same options as esbuild.mjs). */
async function entryParts(): Promise<{ part: string; bytes: number }[]> {
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, 'src', 'extension.ts')],
    bundle: true,
    minify: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    legalComments: 'none',
    external: ['vscode', 'undici'],
    // As in esbuild.mjs: the run panel is its own bundle, loaded when a panel opens.
    plugins: [
      {
        name: 'run-panel-as-separate-bundle',
        setup(build) {
          build.onResolve({ filter: /^\.\/runPanel$/ }, (args) => (args.importer.endsWith('lazyRunPanel.ts') ? { path: './runPanel.js', external: true } : undefined));
        },
      },
    ],
    write: false,
    metafile: true,
    outfile: path.join(SCRATCH, 'metafile-probe.js'),
    absWorkingDir: ROOT,
    logLevel: 'silent',
  });
  const parts = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
      const part = pkg ? `node_modules/${pkg}` : input.replace(/\/[^/]+$/, '/');
      parts.set(part, (parts.get(part) ?? 0) + bytesInOutput);
    }
  }
  return [...parts.entries()].map(([part, bytes]) => ({ part, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** The HTTP client alone, bundled like the extension (undici from ./undici.js), next to dist/undici.js. */
async function clientBundle(): Promise<string> {
  const outfile = path.join(EXT_DIR, 'dist', 'bench-http-client.js');
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'src', 'core', 'http.ts')],
    bundle: true,
    minify: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    legalComments: 'none',
    outfile,
    logLevel: 'silent',
    plugins: [
      {
        name: 'undici-as-separate-bundle',
        setup(build) {
          build.onResolve({ filter: /^undici$/ }, () => ({ path: './undici.js', external: true }));
        },
      },
    ],
  });
  return outfile;
}

async function coldFirstRequest(runs: number): Promise<Pick<StartupResult, 'requireClientMs' | 'undiciRequireMs' | 'firstRequestMs' | 'secondRequestMs'>> {
  const script = path.join(__dirname, 'firstRequest.js');
  const bundle = await clientBundle();
  const { child, line: url } = await startChild(path.join(__dirname, 'echoServer.js'));
  try {
    const client: Record<string, number>[] = [];
    const undici: Record<string, number>[] = [];
    for (let i = 0; i < runs; i++) {
      client.push(await runChildJson(script, ['client', bundle, `${url}/functions/run`]));
      undici.push(await runChildJson(script, ['undici', path.join(EXT_DIR, 'dist', 'undici.js')]));
    }
    const med = (rows: Record<string, number>[], key: string) => round(median(rows.map((r) => r[key]!)), 2);
    return {
      requireClientMs: med(client, 'requireMs'),
      undiciRequireMs: med(undici, 'requireMs'),
      firstRequestMs: med(client, 'firstRequestMs'),
      secondRequestMs: med(client, 'secondRequestMs'),
    };
  } finally {
    await stopChild(child);
  }
}

/** One VS Code start-up: the extension (production build) activated and timed by startupHost.ts. */
async function hostRun(index: number, emulatorUrl: string): Promise<HostRun> {
  const runDir = path.join(SCRATCH, `host-${process.pid}-${index}`);
  fs.rmSync(runDir, { recursive: true, force: true });
  const workspace = path.join(runDir, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  const outFile = path.join(runDir, 'startup.json');
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startCodeServer({
      runDir,
      folder: workspace,
      userSettings: {
        ...DEFAULT_USER_SETTINGS,
        'aiFunctions.sutro.apiUrl': emulatorUrl,
        'aiFunctions.sutro.functionsUrl': emulatorUrl,
      },
      env: { AI_FUNCTIONS_BENCH_STARTUP_OUT: outFile, AI_FUNCTIONS_BENCH_SUTRO_KEY: SUTRO_DEFAULT_KEY },
    });
    browser = await launchBrowser({ homeDir: path.join(runDir, 'chromium') });
    const page = await browser.newPage();
    let exit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
      if (type === 'error') process.stderr.write(`  [host] ${Array.isArray(args) ? format(...args) : format(args)}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => exit(Number(code)));
    browser.on('disconnected', () => exit(1));
    await page.goto(
      workbenchUrl(server, workspace, [
        ['extensionDevelopmentPath', remoteUri(server, EXT_DIR)],
        ['extensionTestsPath', remoteUri(server, path.join(__dirname, 'startupHost.js'))],
        ['skipWelcome', 'true'],
      ]),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 180_000)));
    const outcome = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (!fs.existsSync(outFile)) return { error: outcome === 'timeout' ? 'VS Code did not finish within 180 s' : `the host exited (${outcome}) without a result` };
    return JSON.parse(fs.readFileSync(outFile, 'utf8')) as HostRun;
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}

async function hostRuns(count: number): Promise<HostRun[]> {
  try {
    ensureSystemPackages();
    await ensureCodeServer();
  } catch (error) {
    return [{ error: `VS Code (code-server) is not available: ${error instanceof Error ? error.message : String(error)}` }];
  }
  const emulator = await new SutroEmulator({ jobCount: 5 }).start();
  const runs: HostRun[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const run = await hostRun(i, emulator.url);
      runs.push(run);
      process.stdout.write(
        run.error ? `  startup: VS Code run ${i + 1}: ${run.error}\n` : `  startup: VS Code run ${i + 1}: load ${run.loadMs?.toFixed(1)} ms, activate() ${run.activateCallMs?.toFixed(1)} ms\n`,
      );
    }
  } finally {
    await emulator.close();
  }
  return runs;
}

export async function benchStartup(options: StartupOptions): Promise<StartupResult> {
  const bundles = productionBuild();
  const entry = bundles.find((b) => b.file === 'dist/extension.js');
  if (!entry) throw new Error('the production build made no dist/extension.js');
  const parts = await entryParts();
  const cold = await coldFirstRequest(options.coldRuns);
  const runs = await hostRuns(options.hostRuns);
  const ok = runs.filter((r) => !r.error);
  const med = (key: keyof HostRun) => {
    const values = ok.map((r) => r[key]).filter((v): v is number => typeof v === 'number');
    return values.length ? round(median(values), 2) : null;
  };

  const result: StartupResult = {
    bundles,
    entryBundleBytes: entry.bytes,
    totalBundleBytes: bundles.reduce((n, b) => n + b.bytes, 0),
    entryBundleParts: parts.slice(0, 12),
    ...cold,
    activateMs: med('activateCallMs'),
    loadMainMs: med('loadMs'),
    activationTotalMs: med('activationTotalMs'),
    firstApiRequestMs: med('firstApiRequestMs'),
    hostRuns: runs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? round(v, 2) : v])) as HostRun),
  };

  printTable('Bundles (node esbuild.mjs --production)', [
    ['file', 'bytes', 'size', 'loaded'],
    ...bundles.map((b) => [b.file, b.bytes, kib(b.bytes), WHEN_LOADED[b.file] ?? '']),
    ['total', result.totalBundleBytes, kib(result.totalBundleBytes), ''],
  ]);
  printTable('What fills dist/extension.js (esbuild metafile, minified bytes)', [['part', 'bytes', 'share'], ...parts.slice(0, 10).map((p) => [p.part, p.bytes, `${((100 * p.bytes) / entry.bytes).toFixed(1)}%`])]);
  printTable(`Start-up (medians; VS Code runs: ${ok.length}/${runs.length}, cold node processes: ${options.coldRuns})`, [
    ['measure', 'ms', 'target'],
    ['require dist/extension.js in the extension host', result.loadMainMs ?? NaN, ''],
    ['activate() call', result.activateMs ?? NaN, '< 15'],
    ['extension.activate() as a caller sees it', result.activationTotalMs ?? NaN, ''],
    ['first API request after activation (listJobs)', result.firstApiRequestMs ?? NaN, ''],
    ['cold node: require the HTTP client (production)', result.requireClientMs, ''],
    ['cold node: require dist/undici.js alone', result.undiciRequireMs, ''],
    ['cold node: first request (undici loaded, connect, reply)', result.firstRequestMs, ''],
    ['cold node: second request', result.secondRequestMs, ''],
  ]);
  for (const r of runs.filter((x) => x.error)) console.log(`VS Code run failed: ${r.error}`);
  console.log(
    `activate() ${result.activateMs ?? 'n/a'} ms (target < 15: ${result.activateMs !== null && result.activateMs < 15 ? 'met' : 'MISSED'}); ` +
      `dist/extension.js ${kib(entry.bytes)} (target < 150 KB: ${entry.bytes < 150_000 ? 'met' : 'MISSED'})`,
  );
  return result;
}
