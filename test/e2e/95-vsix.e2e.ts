// The packaged extension, as a user installs it: `npm run package` builds ai-functions.vsix; this
// test checks what is inside, installs it into a fresh code-server (its own extensions folder, no
// extensionDevelopmentPath) and looks for the container, both views with their welcome buttons,
// and "AI Functions: Show Log".
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { createRunDir, createWorkspace, installVsix, launchBrowser, repoRoot, startCodeServer, workbenchUrl, type CodeServer } from '../host/codeServer';
import { closeSession, QUIET_WORKBENCH, screenshot } from './harness';
import { Workbench, exactly } from './workbench';

interface ZipEntry {
  name: string;
  size: number;
  read(): Buffer;
}

/** The entries of a zip file (central directory; stored or deflated entries). */
function zipEntries(file: string): ZipEntry[] {
  const zip = fs.readFileSync(file);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error('bad central directory');
    const method = zip.readUInt16LE(offset + 10);
    const compressed = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const local = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    entries.push({
      name,
      size,
      read: () => {
        const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
        const data = zip.subarray(start, start + compressed);
        return method === 0 ? Buffer.from(data) : inflateRawSync(data);
      },
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The files the manifest's walkthrough steps show (`media.svg`, `media.image`, `media.markdown`). */
function walkthroughMediaOf(manifest: { contributes?: { walkthroughs?: { steps: { media?: Record<string, unknown> }[] }[] } }): string[] {
  const paths = (manifest.contributes?.walkthroughs ?? []).flatMap((w) => w.steps).flatMap((step) => {
    const media = step.media ?? {};
    const image = media.image;
    const images = typeof image === 'string' ? [image] : typeof image === 'object' && image !== null ? Object.values(image) : [];
    return [media.svg, media.markdown, ...images].filter((p): p is string => typeof p === 'string');
  });
  return [...new Set(paths)];
}

export function vsixPath(): string {
  return process.env.AI_FUNCTIONS_VSIX ?? path.join(repoRoot(), 'ai-functions.vsix');
}

describe('The packaged .vsix', function () {
  let vsix: string;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let wb: Workbench;

  before(async function () {
    this.timeout(240_000);
    vsix = vsixPath();
    if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: run \`npm run package\` first (npm run test:e2e does)`);
    // The session of the other browser tests is not needed any more: free its memory.
    await closeSession();
  });

  after(async function () {
    this.timeout(30_000);
    await browser?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
  });

  it('holds the bundles, the run panel\'s stylesheet, media and docs, and nothing else', function () {
    const entries = zipEntries(vsix);
    const files = entries.map((e) => e.name).filter((name) => name.startsWith('extension/')).map((name) => name.slice('extension/'.length));
    const bytes = fs.statSync(vsix).size;
    console.log(`      ${path.basename(vsix)}: ${(bytes / 1024).toFixed(1)} KB, ${files.length} files`);
    for (const file of files) console.log(`        ${file} (${(entries.find((e) => e.name === `extension/${file}`)!.size / 1024).toFixed(1)} KB)`);
    const manifest = JSON.parse(entries.find((e) => e.name === 'extension/package.json')!.read().toString('utf8'));
    // The bundles loaded on first use (esbuild.mjs) are in the package too, and so is every
    // picture the Get Started walkthrough shows.
    const lazyBundles = ['dist/undici.js', 'dist/undici-proxy.js', 'dist/sutro.js', 'dist/hyparquet.js', 'dist/runPanel.js', 'dist/webview.js', 'dist/panelApp.js', 'dist/evaluate.js', 'dist/evaluation.js', 'dist/rows.js'];
    const walkthroughMedia = walkthroughMediaOf(manifest);
    assert.ok(walkthroughMedia.length >= 5, `the walkthrough has a picture per step (${walkthroughMedia.join(', ')})`);
    for (const needed of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE.txt', 'dist/extension.js', ...lazyBundles, 'dist/runPanel.css', 'media/activity-bar.svg', 'media/evaluation.css', ...walkthroughMedia]) {
      assert.ok(files.some((f) => f.toLowerCase() === needed.toLowerCase()), `${needed} is in the package`);
    }
    const unexpected = files.filter((f) => !/^(package\.json|readme\.md|changelog\.md|license(\.txt)?|dist\/[^/]+\.js|dist\/runPanel\.css|media\/(walkthrough\/)?[^/]+)$/i.test(f));
    assert.deepEqual(unexpected, [], 'no source maps, sources, tests or node_modules');
    assert.equal(`${manifest.publisher}.${manifest.name}`, 'aifn.ai-functions');
    assert.ok(bytes < 2 * 1024 * 1024, `the package stays small (${bytes} bytes)`);
  });

  it('installs into a fresh VS Code, shows its views, welcome buttons and Get Started, and runs Show Log', async function () {
    this.timeout(180_000);
    const runDir = createRunDir();
    const workspace = createWorkspace(runDir);
    const extensionsDir = path.join(runDir, 'exts');
    await installVsix(vsix, extensionsDir);
    const installed = fs.readdirSync(extensionsDir).filter((name) => name.startsWith('aifn.ai-functions-'));
    assert.equal(installed.length, 1, `installed as ${installed.join(', ')}`);

    // As a new user has it: VS Code's default opens walkthroughs on install.
    server = await startCodeServer({ runDir, folder: workspace, extensionsDir, userSettings: { ...QUIET_WORKBENCH, 'workbench.welcomePage.walkthroughs.openOnInstall': true } });
    browser = await launchBrowser({ homeDir: path.join(runDir, 'chromium') });
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(workbenchUrl(server, workspace));
    wb = new Workbench(page);
    await wb.ready();
    await wb.useTheme();

    await wb.openContainer();
    const functions = wb.view('Functions');
    for (const button of ['Set Sutro API Key', 'Set Nyckel Credentials', 'Set Inferable API Key']) {
      await functions.locator('.welcome-view-content .monaco-button', { hasText: exactly(button) }).waitFor({ state: 'visible' });
    }
    const jobs = await wb.expandView('Jobs');
    await jobs.locator('.welcome-view-content .monaco-button', { hasText: exactly('Set Inferable API Key') }).waitFor({ state: 'visible' });

    // The first activation after install opens Get Started. Its page takes the focus as it lays
    // out, which would close the palette below: it is seen, then closed.
    await wb.tab('Walkthrough: AI Functions').waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'vsix-get-started');
    await wb.closeAllEditors();

    // Its commands are in the palette.
    for (const title of ['Set API Key…', 'Clear API Key…', 'Run Function…', 'Open Run Panel', 'Refresh Jobs', 'Open Job…', 'Set Default Function…', 'Show Log']) {
      await wb.paletteHas(`AI Functions: ${title}`);
    }
    await wb.command('AI Functions: Show Log');
    // The Output panel shows the extension's own log channel.
    const output = page.locator('.part.panel');
    await output.waitFor({ state: 'visible' });
    await page.waitForFunction(() => {
      const select = document.querySelector<HTMLSelectElement>('.part.panel select.monaco-select-box');
      const picked = select?.options[select.selectedIndex]?.text ?? document.querySelector('.part.panel .monaco-select-box')?.getAttribute('title') ?? '';
      return /AI Functions/.test(picked) || /AI Functions/.test(document.querySelector('.part.panel .title-actions, .part.panel .composite.title')?.textContent ?? '');
    });
    await screenshot(page, 'vsix-installed');

    // It ran from the installed copy, not from this repository.
    const logs = path.join(runDir, 'ud', 'logs');
    const found = fs.readdirSync(logs, { recursive: true }).map(String).filter((f) => f.endsWith('AI Functions.log'));
    assert.ok(found.length > 0, 'the installed extension activated and opened its log');
    assert.ok(fs.existsSync(path.join(extensionsDir, installed[0], 'dist', 'extension.js')));
  });
});
