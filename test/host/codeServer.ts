// Runs VS Code offline: code-server (VS Code's server + web workbench, from npm) and Debian's
// Chromium driven by playwright-core. See /work/shared/TESTING.md for why and how.
//
// Used by test/runIntegration.ts (mocha inside the extension host), and meant to be reused by
// the browser e2e tests and `npm start`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';

export const CODE_SERVER_VERSION = '4.100.3';
export const CHROMIUM_PATH = process.env.AI_FUNCTIONS_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for Debian's Chromium in a container (no sandbox, no GPU, no background traffic). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

// @vscode/ripgrep's postinstall downloads this archive from GitHub unless it is in its cache.
const RIPGREP_CACHE_DIR = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_ARCHIVE = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

// code-server and argon2 have install scripts (code-server's postinstall then runs
// `npm install` in lib/vscode and lib/vscode/extensions, which build node-pty, spdlog,
// kerberos, @parcel/watcher… and fetch ripgrep). npm 11 warns about install scripts not listed in
// `allowScripts` and announces it will block them. The install folder's package.json allows
// the top level. The nested installs cannot be covered by config: npm exports a configured
// `allow-scripts` to lifecycle scripts as npm_config_allow_scripts, and a nested project
// install then fails with EALLOWSCRIPTS. So when a future npm skips them, the install is retried
// with dangerously-allow-all-scripts, scoped to this one pinned package in its own folder.
const TOP_LEVEL_SCRIPTS = ['code-server', 'argon2'];

const APT_PACKAGES = ['chromium', 'libkrb5-dev', 'ripgrep'];

function log(message: string): void {
  console.log(`[code-server] ${message}`);
}

/** The repository root: the nearest folder above this file holding package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
}

/** `.vscode-test/` under the repository root (ignored by git). */
export function vscodeTestDir(): string {
  return path.join(repoRoot(), '.vscode-test');
}

export function codeServerDir(): string {
  return path.join(vscodeTestDir(), 'code-server');
}

/** The installed code-server package (holds out/node/entry.js and lib/vscode). */
export function codeServerPackageDir(): string {
  return path.join(codeServerDir(), 'node_modules', 'code-server');
}

function entryJs(): string {
  return path.join(codeServerPackageDir(), 'out', 'node', 'entry.js');
}

function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function missingSystemPackages(): string[] {
  const missing: string[] = [];
  if (!fs.existsSync(CHROMIUM_PATH)) missing.push('chromium');
  if (!fs.existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  if (!which('rg')) missing.push('ripgrep');
  // node-gyp builds code-server's native modules (only needed until it is installed).
  if (!isInstalled()) {
    if (!which('make') || !which('g++')) missing.push('build-essential');
    if (!which('python3')) missing.push('python3');
  }
  return missing;
}

/**
 * Makes sure Debian's chromium, ripgrep and libkrb5-dev (gssapi/gssapi.h, needed to build the
 * kerberos module) are installed. Installs them with apt-get when running as root; otherwise
 * throws with the command to run.
 */
export function ensureSystemPackages(): void {
  const missing = missingSystemPackages();
  if (missing.length === 0) return;
  const packages = [...new Set([...APT_PACKAGES, ...missing])];
  const command = `apt-get update && apt-get install -y ${packages.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !which('apt-get')) {
    throw new Error(
      `Missing system packages: ${missing.join(', ')}. Install them with:\n  sudo ${command}`,
    );
  }
  log(`installing system packages (missing: ${missing.join(', ')}): ${command}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Wait for another apt/dpkg run to finish instead of failing on its lock.
  const lock = ['-o', 'DPkg::Lock::Timeout=900'];
  for (const args of [
    [...lock, 'update'],
    [...lock, 'install', '-y', ...packages],
  ]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) {
      throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.status}). Run: ${command}`);
    }
  }
  const still = missingSystemPackages();
  if (still.length > 0) throw new Error(`still missing after apt-get: ${still.join(', ')}`);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A lock directory so that two runs do not install code-server at the same time. */
async function withInstallLock<T>(work: () => Promise<T>): Promise<T> {
  const lockDir = path.join(vscodeTestDir(), 'code-server.lock');
  const pidFile = path.join(lockDir, 'pid');
  fs.mkdirSync(vscodeTestDir(), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(pidFile, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8') : NaN);
      if (!Number.isInteger(owner) || !pidAlive(owner)) {
        // Stale lock from a killed run (or one that just created the dir: give it a moment).
        const age = Date.now() - fs.statSync(lockDir).mtimeMs;
        if (Number.isInteger(owner) || age > 10_000) {
          fs.rmSync(lockDir, { recursive: true, force: true });
          continue;
        }
      } else if (!announced) {
        log(`waiting for another install (pid ${owner}) to finish…`);
        announced = true;
      }
      await sleep(1000);
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function markerFile(): string {
  return path.join(codeServerDir(), '.installed');
}

function isInstalled(): boolean {
  try {
    return (
      fs.readFileSync(markerFile(), 'utf8').trim() === CODE_SERVER_VERSION &&
      fs.existsSync(entryJs())
    );
  } catch {
    return false;
  }
}

/** Environment for `npm install`: no inherited npm_* settings from an outer `npm run`. */
function npmInstallEnv(home: string, tmp: string): NodeJS.ProcessEnv {
  const keep = /^npm_config_(userconfig|cache|cafile|registry|proxy|https_proxy|noproxy|strict_ssl|nodedir|@.*)$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !keep.test(key)) continue;
    if (key === 'INIT_CWD' || /^VSCODE_/.test(key)) continue;
    env[key] = value;
  }
  const realHome = os.homedir();
  env.npm_config_userconfig ??= path.join(realHome, '.npmrc'); // registry / proxy settings
  env.npm_config_cache ??= path.join(realHome, '.npm'); // reuse downloaded tarballs
  if (!env.npm_config_nodedir) {
    // node-gyp builds node-pty, argon2, kerberos…; offline it needs local headers.
    const prefix = path.dirname(path.dirname(process.execPath));
    const header = path.join(prefix, 'include', 'node', 'node_version.h');
    if (fs.existsSync(header)) {
      const text = fs.readFileSync(header, 'utf8');
      const part = (name: string) => text.match(new RegExp(`#define NODE_${name}_VERSION (\\d+)`))?.[1];
      if (`${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}` === process.versions.node) {
        env.npm_config_nodedir = prefix;
      }
    }
  }
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    TMPDIR: tmp,
    npm_config_unsafe_perm: 'true', // code-server's postinstall insists on it as root
    npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
    npm_config_foreground_scripts: 'true',
  });
  return env;
}

function runLogged(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; label: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(options.logFile, 'a');
    const started = Date.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', out, out] });
    const timer = setInterval(() => {
      log(`${options.label}… ${Math.round((Date.now() - started) / 1000)} s`);
    }, 15_000);
    const done = () => {
      clearInterval(timer);
      fs.closeSync(out);
    };
    child.on('error', (error) => {
      done();
      reject(error);
    });
    child.on('exit', (code, signal) => {
      done();
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Loads code-server's native modules in a child node, to prove the install scripts ran. */
function verifyInstall(): void {
  const pkg = codeServerPackageDir();
  if (!fs.existsSync(entryJs())) throw new Error(`${entryJs()} is missing`);
  const vscodeModules = path.join(pkg, 'lib', 'vscode', 'node_modules');
  const rg = path.join(vscodeModules, '@vscode', 'ripgrep', 'bin', 'rg');
  if (!fs.existsSync(rg)) throw new Error(`${rg} is missing (@vscode/ripgrep's postinstall did not run)`);
  const script = [
    `require(${JSON.stringify(path.join(vscodeModules, 'node-pty'))});`,
    `require(${JSON.stringify(path.join(vscodeModules, '@vscode', 'spdlog'))});`,
    `require(require.resolve('argon2', { paths: [${JSON.stringify(pkg)}] }));`,
  ].join('');
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `code-server's native modules do not load (install scripts skipped?):\n${result.stderr}`,
    );
  }
}

/**
 * Installs code-server@4.100.3 into `.vscode-test/code-server/` once (about a minute, 300 MB)
 * and returns the code-server package folder. Later calls return at once.
 */
export async function ensureCodeServer(): Promise<string> {
  if (isInstalled()) return codeServerPackageDir();
  return withInstallLock(async () => {
    if (isInstalled()) return codeServerPackageDir();
    const dir = codeServerDir();
    const work = path.join(vscodeTestDir(), 'code-server-install');
    const started = Date.now();
    log(`installing code-server@${CODE_SERVER_VERSION} into ${path.relative(repoRoot(), dir)}/ (about a minute)`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
    const home = path.join(work, 'home');
    const tmp = path.join(work, 'tmp');
    fs.mkdirSync(home, { recursive: true });
    fs.mkdirSync(path.join(tmp, RIPGREP_CACHE_DIR), { recursive: true });
    fs.mkdirSync(dir, { recursive: true });

    // Debian's rg stands in for the ripgrep build @vscode/ripgrep would download from GitHub.
    const rg = which('rg');
    if (!rg) throw new Error('ripgrep (rg) is not installed: run ensureSystemPackages() first');
    const rgDir = path.join(work, 'rg');
    fs.mkdirSync(rgDir);
    fs.copyFileSync(rg, path.join(rgDir, 'rg'));
    fs.chmodSync(path.join(rgDir, 'rg'), 0o755);
    const tar = spawnSync('tar', ['-C', rgDir, '-czf', path.join(tmp, RIPGREP_CACHE_DIR, RIPGREP_ARCHIVE), 'rg']);
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);

    const allowTop = Object.fromEntries(TOP_LEVEL_SCRIPTS.map((name) => [name, true]));
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'code-server-host', private: true, allowScripts: allowTop }, null, 2) + '\n',
    );

    const logFile = path.join(dir, 'install.log');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const args = ['install', '--prefix', dir, '--no-save', '--foreground-scripts', `code-server@${CODE_SERVER_VERSION}`];
    for (const allowAll of [false, true]) {
      const env = npmInstallEnv(home, tmp);
      if (allowAll) {
        log('install scripts were skipped; reinstalling with npm_config_dangerously_allow_all_scripts=true');
        env.npm_config_dangerously_allow_all_scripts = 'true';
        fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
      }
      const code = await runLogged(npm, args, { cwd: dir, env, logFile, label: 'npm install code-server' });
      if (code !== 0) {
        throw new Error(`npm install code-server failed (exit ${code}); ${logFile} ends with:\n${tail(logFile)}`);
      }
      try {
        verifyInstall();
        break;
      } catch (error) {
        if (!allowAll && /allowScripts|install-scripts/.test(fs.readFileSync(logFile, 'utf8'))) continue;
        throw new Error(`${(error as Error).message}\nsee ${logFile}`);
      }
    }
    if (fs.readFileSync(logFile, 'utf8').includes('not yet covered by allowScripts')) {
      log(`npm listed install scripts not covered by allowScripts; they ran (see ${path.relative(repoRoot(), logFile)})`);
    }
    fs.writeFileSync(markerFile(), CODE_SERVER_VERSION + '\n');
    fs.rmSync(work, { recursive: true, force: true });
    log(`installed code-server@${CODE_SERVER_VERSION} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return codeServerPackageDir();
  });
}

/** User settings for test runs. */
export const DEFAULT_USER_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
};

/** DEFAULT_USER_SETTINGS plus test/integration/userSettings.json, if the suite has one. */
export function integrationUserSettings(): Record<string, unknown> {
  const file = path.join(repoRoot(), 'test', 'integration', 'userSettings.json');
  if (!fs.existsSync(file)) return { ...DEFAULT_USER_SETTINGS };
  return { ...DEFAULT_USER_SETTINGS, ...JSON.parse(fs.readFileSync(file, 'utf8')) };
}

/** A fresh folder `.vscode-test/runs/<timestamp>-<pid>`, pruning all but the newest few runs. */
export function createRunDir(keep = 5): string {
  const runs = path.join(vscodeTestDir(), 'runs');
  fs.mkdirSync(runs, { recursive: true });
  const old = fs.readdirSync(runs).sort();
  for (const name of old.slice(0, Math.max(0, old.length - (keep - 1)))) {
    const owner = Number(name.match(/-(\d+)$/)?.[1]);
    if (owner && owner !== process.pid && pidAlive(owner)) continue; // a run still going
    fs.rmSync(path.join(runs, name), { recursive: true, force: true });
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = path.join(runs, `${stamp}-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** `<runDir>/workspace`: a copy of test/fixtures/workspace/ when it exists, else empty. */
export function createWorkspace(runDir: string): string {
  const workspace = path.join(runDir, 'workspace');
  const fixture = path.join(repoRoot(), 'test', 'fixtures', 'workspace');
  if (fs.existsSync(fixture)) fs.cpSync(fixture, workspace, { recursive: true });
  else fs.mkdirSync(workspace, { recursive: true });
  return workspace;
}

/** HOME and XDG_* variables pointing into `root`, so nothing writes into the real home. */
export function privateHomeEnv(root: string): Record<string, string> {
  const dirs = {
    HOME: path.join(root, 'home'),
    XDG_CONFIG_HOME: path.join(root, 'home', '.config'),
    XDG_DATA_HOME: path.join(root, 'home', '.local', 'share'),
    XDG_CACHE_HOME: path.join(root, 'home', '.cache'),
    XDG_STATE_HOME: path.join(root, 'home', '.local', 'state'),
  };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  return dirs;
}

/** process.env without what would make code-server think it runs inside another VS Code. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VSCODE_|ELECTRON_)/.test(key) || key === 'CODE_SERVER_PARENT_PID') continue;
    env[key] = value;
  }
  return env;
}

export interface StartOptions {
  /** A fresh folder for this run: config, user data, extensions, private HOME, server log. */
  runDir: string;
  /** The workspace folder the workbench opens. */
  folder: string;
  /** Written to `<runDir>/ud/User/settings.json`. */
  userSettings?: Record<string, unknown>;
  /** Defaults to `<runDir>/exts`. */
  extensionsDir?: string;
  /** Extra environment for the server; the extension host inherits it. */
  env?: Record<string, string | undefined>;
  /** Copy the server's output to this process's stderr too (it always goes to runDir/code-server.log). */
  verbose?: boolean;
  /** How long to wait for the port (ms). Default 60 s. */
  startTimeoutMs?: number;
  /** The loopback port to listen on; default 0 (a free one). */
  port?: number;
}

export interface CodeServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  port: number;
  pid: number;
  logFile: string;
  /** Kills the server's whole process group (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Synchronous SIGKILL of the process group, for exit handlers. */
  kill(): void;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Starts code-server on a random loopback port; resolves once it listens. */
export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  const runDir = path.resolve(options.runDir);
  const userDataDir = path.join(runDir, 'ud');
  const extensionsDir = path.resolve(options.extensionsDir ?? path.join(runDir, 'exts'));
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(options.userSettings ?? {}, null, 2) + '\n',
  );
  const configFile = path.join(runDir, 'config.yaml');
  const bindAddr = `127.0.0.1:${options.port ?? 0}`;
  fs.writeFileSync(configFile, `bind-addr: ${bindAddr}\nauth: none\ncert: false\n`);
  const logFile = path.join(runDir, 'code-server.log');

  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    ...privateHomeEnv(runDir),
    EXTENSIONS_GALLERY: '{}',
    ...options.env,
  };
  const args = [
    entryJs(),
    '--config', configFile,
    '--auth', 'none',
    '--bind-addr', bindAddr,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    path.resolve(options.folder),
  ];
  const child = spawn(process.execPath, args, {
    cwd: runDir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logStream = fs.createWriteStream(logFile);

  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.on('exit', () => {
      exited = true;
      resolve();
    });
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    if (!exited) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await exitedPromise;
      clearTimeout(timer);
    }
    // Children that outlived the main process (file watcher, extension host).
    killGroup(child, 'SIGKILL');
    stopped = true;
  };
  const kill = () => {
    if (stopped) return;
    killGroup(child, 'SIGKILL');
    stopped = true;
  };

  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    const timeoutMs = options.startTimeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`code-server did not listen within ${timeoutMs} ms; see ${logFile}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      logStream.write(chunk);
      if (options.verbose) process.stderr.write(chunk);
      buffer += chunk.toString();
      const match = buffer.match(/HTTP server listening on https?:\/\/[^\s:]+:(\d+)/);
      if (match) {
        clearTimeout(timer);
        buffer = '';
        resolve(Number(match[1]));
      } else if (buffer.length > 65536) {
        buffer = buffer.slice(-4096);
      }
    };
    // Keep draining both pipes for the server's lifetime.
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited early (${signal ?? code}); log:\n${tail(logFile, 30)}`));
    });
  });
  child.on('exit', () => logStream.end());

  return { url: `http://127.0.0.1:${port}`, port, pid: child.pid!, logFile, stop, kill };
}

export interface LaunchOptions {
  /** Private HOME/XDG dirs for Chromium (crash reports, caches) go under this folder. */
  homeDir?: string;
  headless?: boolean;
  args?: string[];
}

/** Debian's Chromium through playwright-core (never `playwright install`). */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(cleanEnv())) if (value !== undefined) env[key] = value;
  if (options.homeDir) Object.assign(env, privateHomeEnv(options.homeDir));
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: options.headless ?? true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    env,
    // The caller closes the browser on signals (Chromium runs in its own process group).
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

/** The workbench URL that opens `folder` and, with `payload`, runs extension tests. */
export function workbenchUrl(server: { url: string; port: number }, folder: string, payload?: [string, string][]): string {
  let url = `${server.url}/?folder=${encodeURIComponent(path.resolve(folder))}`;
  if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

/** A `vscode-remote://` URI for a path on the server's machine, as the payload needs. */
export function remoteUri(server: { port: number }, fsPath: string): string {
  return `vscode-remote://127.0.0.1:${server.port}${path.resolve(fsPath)}`;
}

/** Installs a .vsix into `extensionsDir` with code-server's `--install-extension`. */
export async function installVsix(vsixPath: string, extensionsDir: string): Promise<void> {
  await ensureCodeServer();
  fs.mkdirSync(extensionsDir, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-functions-vsix-'));
  try {
    const env = { ...cleanEnv(), ...privateHomeEnv(scratch), EXTENSIONS_GALLERY: '{}' };
    const result = spawnSync(
      process.execPath,
      [
        entryJs(),
        '--user-data-dir', path.join(scratch, 'ud'),
        '--extensions-dir', path.resolve(extensionsDir),
        '--install-extension', path.resolve(vsixPath),
        '--force',
      ],
      { env, encoding: 'utf8', timeout: 120_000 },
    );
    if (result.status !== 0) {
      throw new Error(
        `installing ${vsixPath} failed (exit ${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`,
      );
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
