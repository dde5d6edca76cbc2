// The start-up benchmark's test entry (extensionTestsPath) inside a real VS Code extension host
// (code-server). It times, for the extension under test:
//   - loading its main module (require of dist/extension.js, as VS Code does it),
//   - the activate() call itself,
//   - extension.activate() as a caller sees it (VS Code's own bookkeeping included),
//   - the first public-API request after activation (listJobs on the Sutro emulator: reads the
//     key, loads dist/undici.js, connects) and a second one.
// Writes them as JSON to $AI_FUNCTIONS_BENCH_STARTUP_OUT.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AiFunctionsApi } from '../../src/api';

const EXTENSION_ID = 'aifn.ai-functions';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
type ModuleWithLoad = { _load: Load };

export async function run(): Promise<void> {
  const out = process.env.AI_FUNCTIONS_BENCH_STARTUP_OUT;
  if (!out) throw new Error('AI_FUNCTIONS_BENCH_STARTUP_OUT is not set');
  const result: Record<string, unknown> = {};
  try {
    const extension = vscode.extensions.getExtension<AiFunctionsApi>(EXTENSION_ID);
    if (!extension) throw new Error(`${EXTENSION_ID} is not installed`);
    if (extension.isActive) throw new Error('the extension was already active: the activation cannot be timed');
    const main = path.resolve(extension.extensionPath, String(extension.packageJSON.main));
    result.main = main;

    // VS Code loads an extension's CommonJS main with require(fsPath); wrap that one load.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- node's Module, to time the load
    const Module = require('node:module') as ModuleWithLoad;
    const original = Module._load;
    let loadMs: number | undefined;
    let activateCallMs: number | undefined;
    Module._load = function (this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
      if (typeof request !== 'string' || path.resolve(request) !== main) return original.call(this, request, parent, isMain);
      const started = performance.now();
      const exports = original.call(this, request, parent, isMain) as { activate: (context: vscode.ExtensionContext) => unknown };
      loadMs = performance.now() - started;
      const activate = exports.activate;
      return {
        ...exports,
        activate(this: unknown, context: vscode.ExtensionContext) {
          const t = performance.now();
          try {
            return activate.call(this, context);
          } finally {
            activateCallMs = performance.now() - t;
          }
        },
      };
    };

    let api: AiFunctionsApi;
    const started = performance.now();
    try {
      api = await extension.activate();
    } finally {
      Module._load = original;
    }
    result.activationTotalMs = performance.now() - started;
    if (loadMs === undefined || activateCallMs === undefined) throw new Error(`the main module ${main} was not loaded through require`);
    result.loadMs = loadMs;
    result.activateCallMs = activateCallMs;

    const key = process.env.AI_FUNCTIONS_BENCH_SUTRO_KEY;
    if (key) {
      await api.setApiKey('sutro', { apiKey: key });
      let t = performance.now();
      await api.listJobs('sutro', { limit: 1 });
      result.firstApiRequestMs = performance.now() - t;
      t = performance.now();
      await api.listJobs('sutro', { limit: 1 });
      result.secondApiRequestMs = performance.now() - t;
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  }
  fs.writeFileSync(out, JSON.stringify(result) + '\n');
  if (result.error) throw new Error(String(result.error));
}
