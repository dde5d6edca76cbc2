// The browser tests' world: the three platform emulators (in this process), code-server running
// the built extension (extensionDevelopmentPath → dist/), and Debian's Chromium on its workbench.
// One session serves the whole suite (started by the first test that asks for it, closed after
// the last one); the tests walk a user's paths in order, from "no key yet" onwards.
//
// A failing test keeps a screenshot and the extension's log in test-results/e2e/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startEmulators, type Emulators } from '../emulator';
import {
  DEFAULT_USER_SETTINGS,
  createRunDir,
  createWorkspace,
  ensureCodeServer,
  ensureSystemPackages,
  launchBrowser,
  remoteUri,
  repoRoot,
  startCodeServer,
  workbenchUrl,
  type CodeServer,
} from '../host/codeServer';
import { writeDemoFiles } from './demoFiles';
import { Workbench } from './workbench';

/** The emulators' default credentials (test/emulator). */
export const KEYS = {
  sutro: { apiKey: 'sk_test_emulator' },
  nyckel: { clientId: 'nyckel_test_client', clientSecret: 'nyckel_test_secret' },
  inferable: { apiKey: 'sk_inf_emulator' },
} as const;

export const SUTRO_FUNCTIONS = [
  { name: 'lead-qualifier', inputFields: ['query', 'region'] },
  { name: 'lead-extractor', inputFields: ['text'] },
  { name: 'sentiment', inputFields: ['text'] },
];

/** Where screenshots and the logs of failed tests go (ignored by git). */
export function outputDir(): string {
  const dir = process.env.AI_FUNCTIONS_E2E_OUTPUT ?? path.join(repoRoot(), 'test-results', 'e2e');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The user settings that point the extension at the emulators, plus a quiet workbench. */
export function emulatorSettings(urls: Emulators['urls']): Record<string, unknown> {
  return {
    // Sutro's older shared API: the emulator's default generation, which these paths were written for.
    'aiFunctions.sutro.api': 'shared',
    'aiFunctions.sutro.apiUrl': urls.sutro,
    'aiFunctions.sutro.functionsUrl': urls.sutro,
    'aiFunctions.nyckel.baseUrl': urls.nyckel,
    'aiFunctions.inferable.baseUrl': urls.inferable,
    'aiFunctions.inferable.clusterId': 'clu_emulator',
    'aiFunctions.sutro.functions': SUTRO_FUNCTIONS,
  };
}

/** Settings that keep the workbench calm and the screenshots clean. */
export const QUIET_WORKBENCH: Record<string, unknown> = {
  ...DEFAULT_USER_SETTINGS,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.ignoreRecommendations': true,
  'editor.minimap.enabled': false,
  'editor.fontSize': 14,
  'window.commandCenter': false,
  'chat.commandCenter.enabled': false,
  'workbench.layoutControl.enabled': false,
  'update.showReleaseNotes': false,
  'git.enabled': false,
  'files.autoSave': 'off',
  'workbench.colorTheme': 'Default Dark Modern',
};

export interface Session {
  root: string;
  runDir: string;
  workspace: string;
  emulators: Emulators;
  server: CodeServer;
  browser: Browser;
  page: Page;
  workbench: Workbench;
  /** The platforms whose keys the tests set in this session (secrets live in the browser). */
  keys: Set<'sutro' | 'nyckel' | 'inferable'>;
}

let current: Promise<Session> | undefined;
let live: Session | undefined;

/** The one session of this run, started on first use. */
export function session(): Promise<Session> {
  current ??= start();
  return current;
}

async function start(): Promise<Session> {
  const root = repoRoot();
  if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  ensureSystemPackages();
  await ensureCodeServer();
  const runDir = createRunDir();
  const workspace = createWorkspace(runDir);
  writeDemoFiles(workspace);
  const emulators = await startEmulators();
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startCodeServer({
      runDir,
      folder: workspace,
      userSettings: { ...QUIET_WORKBENCH, ...emulatorSettings(emulators.urls) },
      verbose: process.env.AI_FUNCTIONS_TEST_VERBOSE === '1',
    });
    browser = await launchBrowser({ homeDir: path.join(runDir, 'chromium') });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    if (process.env.AI_FUNCTIONS_TEST_VERBOSE === '1') page.on('console', (m) => console.error(`[workbench] ${m.text()}`));
    const payload: [string, string][] = [
      ['extensionDevelopmentPath', remoteUri(server, root)],
      ['skipWelcome', 'true'],
    ];
    await page.goto(workbenchUrl(server, workspace, payload));
    const workbench = new Workbench(page);
    await workbench.ready();
    await workbench.useTheme();
    await workbench.widenSidebar(440);
    live = { root, runDir, workspace, emulators, server, browser, page, workbench, keys: new Set() };
    return live;
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await emulators.close();
    throw error;
  }
}

/** Stops everything the session started (idempotent). */
export async function closeSession(): Promise<void> {
  const started = current;
  current = undefined;
  live = undefined;
  if (!started) return;
  const s = await started.catch(() => undefined);
  if (!s) return;
  await s.browser.close().catch(() => undefined);
  await s.server.stop().catch(() => undefined);
  await s.emulators.close().catch(() => undefined);
}

/** Synchronous last resort for exit handlers. */
export function killSession(): void {
  live?.server.kill();
}

/** A file name from a test title. */
export function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 80)
    .replace(/^-+|-+$/g, '');
}

/** Saves `<output>/<name>.png` (and, with AI_FUNCTIONS_UPDATE_SCREENSHOTS=1, docs/images/<docName>.png). */
export async function screenshot(page: Page, name: string, docName?: string): Promise<string> {
  const file = path.join(outputDir(), `${name}.png`);
  await page.screenshot({ path: file });
  if (docName && /^(1|true|yes)$/i.test(process.env.AI_FUNCTIONS_UPDATE_SCREENSHOTS ?? '')) {
    const docs = path.join(repoRoot(), 'docs', 'images');
    fs.mkdirSync(docs, { recursive: true });
    fs.copyFileSync(file, path.join(docs, `${docName}.png`));
  }
  return file;
}

/** The extension's log files (`AI Functions.log`) under the run's user-data logs folder. */
export function extensionLogs(runDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('AI Functions.log')) found.push(full);
    }
  };
  walk(path.join(runDir, 'ud', 'logs'));
  return found.sort();
}

/** Keeps what a failed test leaves behind: a screenshot and the extension's log. */
export async function keepFailure(title: string): Promise<string[]> {
  const s = live;
  if (!s) return [];
  const name = `failed-${slug(title)}`;
  const kept: string[] = [];
  try {
    kept.push(await screenshot(s.page, name));
  } catch (error) {
    console.error(`e2e: could not take a screenshot: ${(error as Error).message}`);
  }
  const logs = extensionLogs(s.runDir);
  logs.forEach((log, i) => {
    const target = path.join(outputDir(), `${name}${logs.length > 1 ? `-${i + 1}` : ''}.log`);
    fs.copyFileSync(log, target);
    kept.push(target);
  });
  const serverLog = path.join(outputDir(), `${name}-code-server.log`);
  try {
    fs.copyFileSync(s.server.logFile, serverLog);
    kept.push(serverLog);
  } catch {
    // no server log
  }
  return kept;
}

/** Mocha root hooks for the runner: keep what a failed test leaves, close the session at the end. */
export const rootHooks = {
  async afterEach(this: Mocha.Context): Promise<void> {
    const test = this.currentTest;
    if (test?.state === 'failed') {
      const kept = await keepFailure(test.fullTitle());
      for (const file of kept) console.log(`      kept ${path.relative(repoRoot(), file)}`);
    }
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    await closeSession();
  },
};
