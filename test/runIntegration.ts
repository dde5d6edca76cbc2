// Runs the integration suite (out/test/integration/index.js) inside a real VS Code extension
// host: code-server + headless Chromium, offline. See /work/shared/TESTING.md.
//
//   npm run test:integration
//
// Environment:
//   AI_FUNCTIONS_TEST_TIMEOUT   overall timeout in seconds (default 600)
//   AI_FUNCTIONS_TEST_GREP      only the tests whose full title matches (mocha --grep)
//   AI_FUNCTIONS_TEST_VERBOSE=1 also print the server's log and the workbench's own console
//   AI_FUNCTIONS_*              passed through to the extension host
// The extension host also gets AI_FUNCTIONS_RUN_DIR (this run's folder, holding ud/logs/).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import type { Browser } from 'playwright-core';
import {
  createRunDir,
  createWorkspace,
  ensureCodeServer,
  ensureSystemPackages,
  integrationUserSettings,
  launchBrowser,
  remoteUri,
  repoRoot,
  startCodeServer,
  workbenchUrl,
  type CodeServer,
} from './host/codeServer';

/** The workbench's own chatter that also arrives through codeAutomationLog (shown when verbose). */
const WORKBENCH_NOISE =
  /^(Resolving connection token|Resolved connection token|Creating a socket|\[Service Worker\]|\[text file model\]|Ignoring fetching additional builtin extensions|ChatSessionStore:|Updating additional builtin extensions cache)/;

function readResult(file: string): { passed: number; failed: number } | undefined {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof data.passed === 'number' && typeof data.failed === 'number') return data;
  } catch {
    // missing or unreadable
  }
  return undefined;
}

async function main(): Promise<number> {
  const root = repoRoot();
  const testsIndex = path.join(root, 'out', 'test', 'integration', 'index.js');
  if (!fs.existsSync(testsIndex)) {
    console.error(`integration: ${testsIndex} is missing; run \`npm run build:tests\` first`);
    return 1;
  }
  if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) {
    console.error('integration: warning: dist/extension.js is missing (`npm run build`)');
  }

  const verbose = /^(1|true|yes)$/i.test(process.env.AI_FUNCTIONS_TEST_VERBOSE ?? '');
  const timeoutSeconds = Number(process.env.AI_FUNCTIONS_TEST_TIMEOUT ?? 600) || 600;

  ensureSystemPackages();
  await ensureCodeServer();

  const runDir = createRunDir();
  const workspace = createWorkspace(runDir);
  const resultFile = path.join(runDir, 'result.json');
  console.log(`integration: run folder ${path.relative(root, runDir)}`);

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let cleaningUp: Promise<void> | undefined;
  const cleanup = () =>
    (cleaningUp ??= (async () => {
      await browser?.close().catch(() => undefined);
      await server?.stop().catch(() => undefined);
    })());
  // Chromium and code-server run in their own process groups: Ctrl+C does not reach them.
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\nintegration: ${signal}, stopping VS Code…`);
    const force = setTimeout(() => {
      server?.kill();
      process.exit(130);
    }, 10_000);
    void cleanup().finally(() => {
      clearTimeout(force);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  // Last resort (an exception we did not expect): never leave the server running.
  process.on('exit', () => server?.kill());

  try {
    const started = Date.now();
    // The run folder: the security tests search its log files for planted keys.
    const extensionEnv: Record<string, string> = { AI_FUNCTIONS_TEST_RESULT: resultFile, AI_FUNCTIONS_RUN_DIR: runDir };
    server = await startCodeServer({
      runDir,
      folder: workspace,
      userSettings: integrationUserSettings(),
      env: extensionEnv,
      verbose,
    });
    console.log(`integration: code-server ${server.url} up in ${Date.now() - started} ms`);

    browser = await launchBrowser({ homeDir: path.join(runDir, 'chromium') });
    const page = await browser.newPage();

    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (resolveExit = resolve));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
      const text = Array.isArray(args) ? format(...args) : format(args);
      if (!verbose && WORKBENCH_NOISE.test(text)) return;
      if (type === 'error') process.stderr.write(text + '\n');
      else process.stdout.write(text + '\n');
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(Number(code)));
    page.on('pageerror', (error) => {
      if (verbose) console.error('[workbench] page error:', error.message);
    });
    if (verbose) page.on('console', (message) => console.error(`[workbench] ${message.text()}`));
    browser.on('disconnected', () => resolveExit(1));

    const payload: [string, string][] = [
      ['extensionDevelopmentPath', remoteUri(server, root)],
      ['extensionTestsPath', remoteUri(server, testsIndex)],
      ['skipWelcome', 'true'],
    ];
    await page.goto(workbenchUrl(server, workspace, payload));

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutSeconds * 1000);
    });
    const outcome = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    console.log(`integration: VS Code finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    let code: number;
    if (outcome === 'timeout') {
      console.error(`integration: timed out after ${timeoutSeconds} s (AI_FUNCTIONS_TEST_TIMEOUT)`);
      code = 1;
    } else {
      code = outcome;
    }
    const result = readResult(resultFile);
    if (result) {
      console.log(`integration: ${result.passed} passed, ${result.failed} failed`);
      if (result.failed > 0) code = code || 1;
    } else {
      console.error(
        `integration: the suite did not report a result (exit ${outcome}); see ${path.relative(root, server.logFile)}`,
      );
      code = code || 1;
    }
    return code;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error('integration:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
