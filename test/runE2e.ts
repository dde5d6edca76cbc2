// Runs the browser tests (out/test/e2e/*.e2e.js) with mocha in Node: each test drives VS Code's
// web workbench (code-server running the built extension from dist/) in Debian's Chromium,
// against the platform emulators. See test/e2e/harness.ts.
//
//   npm run test:e2e
//
// Environment:
//   AI_FUNCTIONS_E2E_GREP               only the tests whose full title matches
//   AI_FUNCTIONS_E2E_TIMEOUT            overall timeout in seconds (default 600)
//   AI_FUNCTIONS_E2E_OUTPUT             screenshots and logs (default test-results/e2e/)
//   AI_FUNCTIONS_UPDATE_SCREENSHOTS=1   also copy the README's screenshots to docs/images/
//   AI_FUNCTIONS_TEST_VERBOSE=1         code-server's log and the workbench console on stderr
//
// Prints `e2e: N passed, N failed` at the end (scripts/test-all.mjs adds it to npm test's total).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { ensureCodeServer, ensureSystemPackages, repoRoot } from './host/codeServer';
import { closeSession, killSession, outputDir, rootHooks } from './e2e/harness';

function findTests(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.e2e.js'))
    .sort()
    .map((name) => path.join(dir, name));
}

async function main(): Promise<number> {
  const root = repoRoot();
  if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) {
    console.error('e2e: dist/extension.js is missing; run `npm run build` first');
    return 1;
  }
  const files = findTests(path.join(root, 'out', 'test', 'e2e'));
  if (files.length === 0) {
    console.error('e2e: no out/test/e2e/*.e2e.js; run `npm run build:tests` first');
    return 1;
  }
  const timeoutSeconds = Number(process.env.AI_FUNCTIONS_E2E_TIMEOUT ?? 600) || 600;
  const started = Date.now();

  // Installs happen here, outside every test's timeout.
  ensureSystemPackages();
  await ensureCodeServer();

  // What failed last time is not kept (this run's screenshots overwrite the others).
  const out = outputDir();
  for (const name of fs.readdirSync(out)) {
    if (/^failed-.*\.(png|log)$/.test(name)) fs.rmSync(path.join(out, name), { force: true });
  }

  const stop = (signal: NodeJS.Signals) => {
    console.error(`\ne2e: ${signal}, stopping VS Code…`);
    const force = setTimeout(() => {
      killSession();
      process.exit(130);
    }, 10_000);
    void closeSession().finally(() => {
      clearTimeout(force);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  process.on('exit', () => killSession());

  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, slow: 10_000, reporter: 'spec', color: false, rootHooks });
  const grep = process.env.AI_FUNCTIONS_E2E_GREP;
  if (grep) mocha.grep(grep);
  for (const file of files) mocha.addFile(file);

  const overall = setTimeout(() => {
    console.error(`e2e: timed out after ${timeoutSeconds} s (AI_FUNCTIONS_E2E_TIMEOUT)`);
    console.log('e2e: 0 passed, 1 failed');
    killSession();
    process.exit(1);
  }, timeoutSeconds * 1000);
  overall.unref();

  const result = await new Promise<{ passed: number; failed: number }>((resolve) => {
    const runner = mocha.run((failures) => {
      resolve({ passed: runner.stats?.passes ?? 0, failed: Math.max(failures, runner.stats?.failures ?? 0) });
    });
  });
  await closeSession();
  clearTimeout(overall);
  console.log(`e2e: screenshots in ${path.relative(root, out) || '.'}/ (${((Date.now() - started) / 1000).toFixed(1)} s in all)`);
  console.log(`e2e: ${result.passed} passed, ${result.failed} failed`);
  return result.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error('e2e:', error instanceof Error ? error.message : error);
    console.log('e2e: 0 passed, 1 failed');
    process.exit(1);
  },
);
