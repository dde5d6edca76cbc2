// `npm start` (out/test/start.js) as a developer uses it: it prints a 127.0.0.1 URL, the URL
// answers, a fresh browser on it gets the demo keys (the Functions view lists every platform's
// functions), and Ctrl+C (SIGINT) stops code-server and the emulators.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, repoRoot, vscodeTestDir } from '../host/codeServer';
import { screenshot } from './harness';
import { waitUntil } from './steps';
import { Workbench, exactly } from './workbench';

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

describe('npm start', function () {
  let child: ChildProcess | undefined;
  let browser: Browser | undefined;
  let output = '';
  const stateDir = path.join(vscodeTestDir(), 'runs', `start-${process.pid}`);

  after(async function () {
    this.timeout(30_000);
    await browser?.close().catch(() => undefined);
    if (child && child.exitCode === null) child.kill('SIGINT');
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('prints a URL that opens VS Code with the extension and the demo keys, and stops on Ctrl+C', async function () {
    this.timeout(180_000);
    child = spawn(process.execPath, [path.join(repoRoot(), 'out', 'test', 'start.js'), '--port', '0'], {
      env: { ...process.env, AI_FUNCTIONS_START_DIR: stateDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const url = await waitUntil('the printed URL', () => {
      if (child!.exitCode !== null) throw new Error(`npm start exited (${child!.exitCode}):\n${output}`);
      return output.match(/^\s+(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)$/m)?.[1];
    }, 150_000, 250);
    const emulatorUrls = [...output.matchAll(/(Sutro|Nyckel|Inferable) (http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[2]);
    assert.equal(emulatorUrls.length, 3, 'it names the three emulators');
    assert.ok(await answers(url), 'the URL answers');

    browser = await launchBrowser({ homeDir: path.join(stateDir, 'chromium') });
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(url);
    const wb = new Workbench(page);
    await wb.ready();
    await wb.openContainer();
    const functions = wb.view('Functions');
    // The demo keys were stored for this (fresh) browser: every platform lists its functions.
    for (const name of ['lead-qualifier', 'Lead intent', 'crm.lookupLead']) await wb.rows(functions, exactly(name)).waitFor({ state: 'visible' });
    await screenshot(page, 'start-demo-keys');
    await browser.close();
    browser = undefined;

    const origin = new URL(url).origin;
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    const code = await exited;
    assert.ok(code === 130 || code === 0, `exit code ${code}`);
    for (const target of [origin, ...emulatorUrls]) assert.equal(await answers(target), false, `${target} is stopped`);
  });
});
