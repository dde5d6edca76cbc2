// One set of platform emulators for the whole integration run, started inside the extension host,
// and the user settings and keys that point the extension at them.
import type { PanelHandoffs } from '../../src/vscode/run/panelHandoffs';
import * as vscode from 'vscode';
import { startEmulators, type Emulators, type InferableGeneration } from '../emulator';
import type { AiFunctionsApi } from '../../src/api';
import type { JobsStore } from '../../src/core/jobsStore';
import type { JobPoller } from '../../src/core/jobPoller';
import type { ClassifySelection } from '../../src/vscode/classify/classifySelection';
import type { ReadOnlyDocuments } from '../../src/vscode/base/documents';
import type { RunPanelController } from '../../src/vscode/panel/runPanel';
import type { FunctionsTreeProvider } from '../../src/vscode/functions/functionsTree';
import type { JobsTreeProvider } from '../../src/vscode/jobs/jobsTree';
import type { ManifestStore, RowFiles } from '../../src/vscode/rows';
import { api } from './helpers';

export const KEYS = {
  sutro: { apiKey: 'sk_test_emulator' },
  nyckel: { clientId: 'nyckel_test_client', clientSecret: 'nyckel_test_secret' },
  inferable: { apiKey: 'sk_inf_emulator' },
} as const;

export interface Testing {
  functionsTree: FunctionsTreeProvider;
  jobsTree: JobsTreeProvider;
  jobsStore: JobsStore;
  poller: JobPoller;
  documents: ReadOnlyDocuments;
  runPanel: RunPanelController;
  classify: ClassifySelection;
  handoffs: PanelHandoffs;
  rowFiles: RowFiles;
  rowRuns: ManifestStore;
  reloadedRowFiles: () => RowFiles;
}

let started: Promise<Emulators> | undefined;

export function emulators(): Promise<Emulators> {
  started ??= (async () => {
    const emu = await startEmulators();
    const config = vscode.workspace.getConfiguration('aiFunctions');
    const global = vscode.ConfigurationTarget.Global;
    // The suites written for the seed run on Sutro's older shared API (the emulator's default
    // generation); sutroDeployment.test.ts moves to a deployment of its own and back.
    await config.update('sutro.api', 'shared', global);
    await config.update('sutro.apiUrl', emu.urls.sutro, global);
    await config.update('sutro.functionsUrl', emu.urls.sutro, global);
    await config.update('nyckel.baseUrl', emu.urls.nyckel, global);
    await config.update('inferable.baseUrl', emu.urls.inferable, global);
    await config.update('inferable.clusterId', 'clu_emulator', global);
    await config.update(
      'sutro.functions',
      [
        { name: 'lead-qualifier', inputFields: ['query', 'region'] },
        { name: 'lead-extractor', inputFields: ['text'] },
      ],
      global,
    );
    return emu;
  })();
  return started;
}

export async function setAllKeys(): Promise<AiFunctionsApi> {
  const extension = await api();
  await extension.setApiKey('sutro', KEYS.sutro);
  await extension.setApiKey('nyckel', KEYS.nyckel);
  await extension.setApiKey('inferable', KEYS.inferable);
  return extension;
}

/**
 * Switches the Inferable emulator to an API generation, and lets the extension see the change: it
 * remembers a cluster's generation and detects it again when a listing route is gone.
 */
export async function useInferableGeneration(generation: InferableGeneration): Promise<void> {
  const emu = await emulators();
  emu.inferable.configure({ generation });
  await (await setAllKeys()).listFunctions('inferable');
}

export async function testing(): Promise<Testing> {
  const extension = (await api()) as AiFunctionsApi & { testing?: Testing };
  if (!extension.testing) throw new Error('The extension did not expose its testing handles (is the host in test mode?)');
  return extension.testing;
}

after(async () => {
  if (started) await (await started).close();
});
