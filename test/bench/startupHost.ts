// The start-up benchmark's test entry (extensionTestsPath) inside a real VS Code extension host
// (code-server). It activates, one after the other in the order given, our extension and empty
// ones beside it (test/bench/startup.ts writes them and says why the first one is not compared),
// timing for each:
//   - loading its main module (require of its main file, as VS Code does it),
//   - the activate() call itself,
//   - extension.activate() as a caller sees it (VS Code's own work included).
// An empty extension pays only VS Code's part (its storage, its context, the bookkeeping), so
// ours minus an empty one's, in the same host, is what ours adds. Then, for ours:
//   - the first public-API request after activation (listJobs on the Sutro emulator: reads the
//     key, loads dist/undici.js, connects) and a second one,
//   - webview panels, ours (by its command) and plain ones beside it, from a set time after
//     activation ($AI_FUNCTIONS_BENCH_PANELS_AFTER_MS): when each started (wall clock, to compare
//     with the paint the browser records; startup.ts reads that), how long the command took, and
//     when the webview said ready.
// Writes them as JSON to $AI_FUNCTIONS_BENCH_STARTUP_OUT.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AiFunctionsApi } from '../../src/api';
import { contentSecurityPolicy, newNonce } from '../../src/vscode/base/webviewHtml';

const EXTENSION_ID = 'aifn.ai-functions';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
type ModuleWithLoad = { _load: Load };

export interface ActivationTiming {
  id: string;
  loadMs: number;
  activateCallMs: number;
  /** extension.activate() as a caller awaits it. */
  totalMs: number;
}

interface Timing {
  loadMs?: number;
  activateCallMs?: number;
}

/** Wall-clock ms with sub-ms precision, comparable with the browser's performance.timeOrigin + now(). */
const wallClock = () => performance.timeOrigin + performance.now();

/** Activates each extension in turn, timing its load, its activate() and the whole activation. */
async function activateTimed(ids: readonly string[]): Promise<{ timings: ActivationTiming[]; apis: Map<string, unknown> }> {
  const mains = new Map<string, { id: string; timing: Timing }>();
  const extensions = ids.map((id) => {
    const extension = vscode.extensions.getExtension(id);
    if (!extension) {
      const others = vscode.extensions.all.filter((e) => !e.id.startsWith('vscode.')).map((e) => e.id);
      throw new Error(`${id} is not installed (non-built-in extensions: ${others.join(', ') || 'none'})`);
    }
    if (extension.isActive) throw new Error(`${id} was already active: its activation cannot be timed`);
    const main = path.resolve(extension.extensionPath, String(extension.packageJSON.main));
    mains.set(main, { id, timing: {} });
    return { id, extension, main };
  });

  // VS Code loads an extension's CommonJS main with require(fsPath); wrap those loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- node's Module, to time the load
  const Module = require('node:module') as ModuleWithLoad;
  const original = Module._load;
  Module._load = function (this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
    const entry = typeof request === 'string' ? mains.get(path.resolve(request)) : undefined;
    if (!entry) return original.call(this, request, parent, isMain);
    const started = performance.now();
    const exports = original.call(this, request, parent, isMain) as { activate: (context: vscode.ExtensionContext) => unknown };
    entry.timing.loadMs = performance.now() - started;
    const activate = exports.activate;
    return {
      ...exports,
      activate(this: unknown, context: vscode.ExtensionContext) {
        const t = performance.now();
        try {
          return activate.call(this, context);
        } finally {
          entry.timing.activateCallMs = performance.now() - t;
        }
      },
    };
  };

  const timings: ActivationTiming[] = [];
  const apis = new Map<string, unknown>();
  try {
    for (const { id, extension, main } of extensions) {
      const started = performance.now();
      apis.set(id, await extension.activate());
      const totalMs = performance.now() - started;
      const { loadMs, activateCallMs } = mains.get(main)!.timing;
      if (loadMs === undefined || activateCallMs === undefined) throw new Error(`the main module ${main} of ${id} was not loaded through require`);
      timings.push({ id, loadMs, activateCallMs, totalMs });
    }
  } finally {
    Module._load = original;
  }
  return { timings, apis };
}

/**
 * Profiles `work` with the inspector in this thread when $AI_FUNCTIONS_BENCH_CPUPROFILE is set
 * (a path prefix: `<prefix>-<label>.cpuprofile`). For finding costs; the timings are then slower.
 */
async function profiled<T>(label: string, work: () => Promise<T>): Promise<T> {
  const prefix = process.env.AI_FUNCTIONS_BENCH_CPUPROFILE;
  if (!prefix) return work();
  const file = `${prefix}-${label}.cpuprofile`;
  const inspector = await import('node:inspector/promises');
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

/**
 * Opens webview panels one after the other: `run-panel` (ours, by its command) or a plain panel
 * (any other name: a line of text, VS Code's own part of showing a webview). Returns when each
 * started, as wall-clock ms: startup.ts finds each panel's first paint in the browser (by the
 * `data-bench-panel` mark, or the run panel's ids) and subtracts. After each panel is ready the
 * host waits a little, so the paint happens and is seen before the next panel hides this one.
 */
async function openPanels(api: AiFunctionsApi, names: readonly string[]): Promise<PanelTiming[]> {
  const out: PanelTiming[] = [];
  for (const name of names) {
    const startedAt = wallClock();
    const t = performance.now();
    let commandMs: number;
    if (name === 'run-panel') {
      const testing = (api as { testing?: { runPanel: { isReady: boolean } } }).testing;
      if (!testing) throw new Error('the extension exposes no testing hooks (not in test mode?)');
      await vscode.commands.executeCommand('aiFunctions.openRunPanel');
      commandMs = performance.now() - t;
      await waitFor("the run panel's ready message", () => testing.runPanel.isReady, 30_000);
    } else {
      const files = vscode.Uri.file(plainPanelFiles());
      const panel = vscode.window.createWebviewPanel(`aiFunctionsBench.${name}`, name, vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [files] });
      let ready = false;
      panel.webview.onDidReceiveMessage(() => (ready = true));
      panel.webview.html = plainPanelHtml(name, panel.webview, files);
      commandMs = performance.now() - t;
      await waitFor(`the ${name} panel's ready message`, () => ready, 30_000);
    }
    out.push({ name, startedAt, commandMs, readyMs: performance.now() - t });
    await new Promise((resolve) => setTimeout(resolve, PANEL_SETTLE_MS));
  }
  return out;
}

/** Long enough for the panel to paint and for startup.ts (polling every 25 ms) to read it. */
const PANEL_SETTLE_MS = 500;

export interface PanelTiming {
  name: string;
  /** Wall-clock ms when the command (or createWebviewPanel) started. */
  startedAt: number;
  commandMs: number;
  /** Until the webview's first message reached the host. */
  readyMs: number;
}

/**
 * A plain panel built to the extension's webview rules (src/vscode/base/webviewHtml.ts): the
 * same CSP, its style and its script from files, no inline script or style. Each file a webview
 * loads is a round trip through VS Code's webview resource loading (in code-server about 100 ms,
 * whatever its size), which any webview built to these rules pays; an inline script would not.
 */
function plainPanelHtml(name: string, webview: vscode.Webview, files: vscode.Uri): string {
  const file = (fileName: string) => webview.asWebviewUri(vscode.Uri.joinPath(files, fileName)).toString();
  const nonce = newNonce();
  const csp = contentSecurityPolicy(webview.cspSource, nonce);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="${file('plain.css')}"><title>${name}</title></head>
<body data-bench-panel="${name}"><p>An empty panel.</p>
<script nonce="${nonce}" src="${file('plain.js')}"></script></body></html>`;
}

/** The plain panel's stylesheet and script, written beside this file. */
function plainPanelFiles(): string {
  const dir = path.join(__dirname, 'plain-panel');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'plain.css'), 'body { color: var(--vscode-foreground); font-family: var(--vscode-font-family); }\n');
  fs.writeFileSync(path.join(dir, 'plain.js'), "acquireVsCodeApi().postMessage('ready');\n");
  return dir;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function run(): Promise<void> {
  const out = process.env.AI_FUNCTIONS_BENCH_STARTUP_OUT;
  if (!out) throw new Error('AI_FUNCTIONS_BENCH_STARTUP_OUT is not set');
  const result: Record<string, unknown> = {};
  try {
    const order = (process.env.AI_FUNCTIONS_BENCH_ACTIVATE ?? EXTENSION_ID).split(',').filter(Boolean);
    if (!order.includes(EXTENSION_ID)) throw new Error(`AI_FUNCTIONS_BENCH_ACTIVATE does not name ${EXTENSION_ID}`);
    const { timings, apis } = await profiled('activation', () => activateTimed(order));
    const activatedAt = performance.now();
    result.activations = timings;
    const ours = timings.find((t) => t.id === EXTENSION_ID)!;
    result.loadMs = ours.loadMs;
    result.activateCallMs = ours.activateCallMs;
    result.activationTotalMs = ours.totalMs;
    // The first activation in a fresh host pays one-time costs: it is only compared when it is ours.
    const [first, ...rest] = timings;
    if (first!.id !== EXTENSION_ID) result.warmupActivationMs = first!.totalMs;
    const empties = (first!.id === EXTENSION_ID ? timings : rest).filter((t) => t.id !== EXTENSION_ID).map((t) => t.totalMs);
    if (empties.length) result.emptyActivationMs = empties.reduce((a, b) => a + b, 0) / empties.length;
    const api = apis.get(EXTENSION_ID) as AiFunctionsApi;

    const key = process.env.AI_FUNCTIONS_BENCH_SUTRO_KEY;
    if (key) {
      await api.setApiKey('sutro', { apiKey: key });
      // Right after activation (the default), or after a wait: the extension loads what a request
      // needs some seconds after activating (warmUpRequests in extension.ts), and startup.ts
      // measures both.
      const waitMs = Number(process.env.AI_FUNCTIONS_BENCH_FIRST_REQUEST_AFTER_MS ?? 0);
      if (waitMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        result.firstApiRequestAfterMs = waitMs;
      }
      let t = performance.now();
      await profiled('first-request', () => api.listJobs('sutro', { limit: 1 }));
      result.firstApiRequestMs = performance.now() - t;
      t = performance.now();
      await api.listJobs('sutro', { limit: 1 });
      result.secondApiRequestMs = performance.now() - t;
    }

    const panels = (process.env.AI_FUNCTIONS_BENCH_PANELS ?? '').split(',').filter(Boolean);
    if (panels.length) {
      const waitMs = activatedAt + Number(process.env.AI_FUNCTIONS_BENCH_PANELS_AFTER_MS ?? 0) - performance.now();
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      result.panelStarts = await openPanels(api, panels);
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  }
  fs.writeFileSync(out, JSON.stringify(result) + '\n');
  if (result.error) throw new Error(String(result.error));
}
