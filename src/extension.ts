// The composition root: builds the services, registers them, returns the public API.
import { messageOf } from './core/errors';
import * as vscode from 'vscode';
import type { AiFunctionsApi } from './api';
import { bundles } from './core/bundleLoader';
import { HttpClient } from './core/http';
import { JobPoller } from './core/jobPoller';
import { JobsStore } from './core/jobsStore';
import type { PlatformId } from './core/model';
import { LazyInferableAdapter } from './platforms/inferable/lazy';
import { LazyAdapter } from './platforms/lazyAdapter';
import { LazyNyckelAdapter } from './platforms/nyckel/lazy';
import { LazySutroAdapter } from './platforms/sutro/lazy';
import { hasJobs } from './platforms/types';
import { PublicApi } from './vscode/api';
import { registerCommand } from './vscode/base/commands';
import { ReadOnlyDocuments } from './vscode/base/documents';
import { guarded } from './vscode/base/notify';
import { requireAbility, type Platforms } from './vscode/base/platforms';
import { Settings } from './vscode/base/settings';
import { ClassifySelection } from './vscode/classify';
import { LazyEvaluate } from './vscode/evaluate';
import { FunctionCommands, FunctionPicker, FunctionsTreeProvider, functionCatalog, type ConfiguredFunctions } from './vscode/functions';
import { JobCommands, JobsAutoRefresh, JobsTreeProvider, notifyFinished, savedJobFilter, type JobsNode } from './vscode/jobs';
import { CredentialStore, HasKeyContext, KeyBindingWatch, KeyCommands } from './vscode/keys';
import { LazyRunPanel } from './vscode/panel';
import { LazyRows } from './vscode/rows';
import { PanelHandoffs, RecentFunctions, RunService } from './vscode/run';
import { Welcome } from './vscode/welcome';

export function activate(context: vscode.ExtensionContext): AiFunctionsApi {
  const log = vscode.window.createOutputChannel('AI Functions', { log: true });
  bundles.cacheIn(vscode.Uri.joinPath(context.globalStorageUri, 'codeCache').fsPath, log);
  const settings = new Settings(context.extension.packageJSON);
  // Each platform's descriptor says which credential fields it takes; a Sutro key is bound to its deployment.
  const credentials = new CredentialStore(
    context.secrets,
    (id) => platforms[id].descriptor.credentialFields.map((f) => f.field),
    (id) => platforms[id].keyBinding?.(),
  );
  const recent = new RecentFunctions(context.globalState);
  // Proxies: VS Code's http.* proxy settings from user settings (else HTTPS_PROXY and the like).
  const http = new HttpClient({ logger: log, timeouts: () => settings.timeouts(), proxy: () => settings.proxy() });
  const keyOf = (platform: PlatformId) => () => credentials.get(platform);
  const sutroFunctions: ConfiguredFunctions = { platform: 'sutro', list: () => settings.sutroFunctions(), save: (f) => settings.setSutroFunctions(f) };

  const platforms: Platforms = {
    // Each adapter is loaded on first use (dist/<platform>.js). Sutro's URLs are normalized by the adapter, per aiFunctions.sutro.api.
    sutro: new LazySutroAdapter({
      http,
      logger: log,
      credentials: keyOf('sutro'),
      config: () => ({
        api: settings.sutroApi(),
        apiUrl: settings.rawUrl('sutro.apiUrl'),
        functionsUrl: settings.rawUrl('sutro.functionsUrl'),
        functions: functionCatalog(sutroFunctions, recent),
        resultsDir: vscode.Uri.joinPath(context.globalStorageUri, 'results').fsPath,
      }),
    }),
    nyckel: new LazyNyckelAdapter({ http, logger: log, credentials: keyOf('nyckel'), config: () => ({ baseUrl: settings.url('nyckel.baseUrl') }) }),
    inferable: new LazyInferableAdapter({
      http,
      logger: log,
      credentials: keyOf('inferable'),
      config: () => ({ baseUrl: settings.url('inferable.baseUrl'), clusterId: settings.inferableClusterId() }),
    }),
  };
  const adapters = Object.values(platforms);
  const runs = new RunService(platforms, recent, log);
  const documents = new ReadOnlyDocuments();

  const functionsTree = new FunctionsTreeProvider(adapters, credentials, {
    configured: sutroFunctions,
    defaultFunction: () => settings.defaultFunction(),
  });
  const functionsView = vscode.window.createTreeView('aiFunctions.functions', { treeDataProvider: functionsTree, showCollapseAll: true });

  const jobPlatforms = adapters.filter(hasJobs);
  const jobsStore = new JobsStore(Object.fromEntries(jobPlatforms.map((a) => [a.id, a])), () => settings.jobsPageSize());
  const jobsTree = new JobsTreeProvider(
    jobPlatforms,
    jobsStore,
    credentials,
    savedJobFilter(context.globalState),
  );
  const jobsView = vscode.window.createTreeView<JobsNode>('aiFunctions.jobs', { treeDataProvider: jobsTree, showCollapseAll: true });
  const poller = new JobPoller({
    getJob: (platform, id) => requireAbility(platforms[platform], 'has no jobs', 'getJob').getJob(id),
    onUpdate: (job) => jobsStore.update(job),
    onFinished: (job) =>
      void notifyFinished(job, platforms[job.platform], {
        open: guarded(log, (finished) => jobCommands.openDetails(finished.platform, finished.id)),
        openResults: guarded(log, (finished) => jobCommands.openResults(finished.platform, finished.id)),
      }),
    onError: (platform, id, error) => log.warn(`Polling ${platform} job ${id} failed: ${messageOf(error)}`),
  });
  const jobCommands = new JobCommands({
    platforms,
    credentials,
    store: jobsStore,
    tree: jobsTree,
    view: jobsView,
    poller,
    documents,
    state: context.globalState,
    runs,
    log,
  });
  const picker = new FunctionPicker(functionsTree, credentials, recent);
  const functionCommands = new FunctionCommands({ tree: functionsTree, picker, runs, settings, configured: sutroFunctions, documents, log });
  const hasKey = new HasKeyContext(credentials);
  const handoffs = new PanelHandoffs();
  const runPanel = new LazyRunPanel({
    handoffs,
    extensionUri: context.extensionUri,
    runs,
    functions: functionsTree,
    credentials,
    recent,
    documents,
    state: context.globalState,
    log,
  });
  const classify = new ClassifySelection(runs, picker, functionsTree, settings, handoffs, log);
  // File runs keep their manifests and journals in storage, so a reload can resume them.
  const rows = new LazyRows({ platforms, runs, picker, documents, settings, jobsStore, poller, log, storageDir: vscode.Uri.joinPath(context.globalStorageUri, 'rowRuns').fsPath });
  stopRowFiles = () => rows.stopAll(STOP_GRACE_MS);
  // Get Started: opens once, for an installed copy, not for a user who already has a key.
  const welcome = new Welcome({ context, hasAnyKey: async () => (await Promise.all(adapters.map((a) => credentials.has(a.id)))).some(Boolean), log });
  const evaluate = new LazyEvaluate({
    extensionUri: context.extensionUri,
    runs,
    picker,
    settings,
    log,
    functionInfo: async (platform, id) => (await platforms[platform].listFunctions()).find((fn) => fn.id === id),
  });

  context.subscriptions.push(
    log,
    settings,
    credentials,
    hasKey,
    documents,
    functionsTree,
    functionsView,
    jobsTree,
    jobsView,
    poller,
    new JobsAutoRefresh(poller, jobsStore, jobsView, settings),
    settings.onDidChange((event) => {
      if (event.affectsConfiguration('aiFunctions.sutro') || event.affectsConfiguration('aiFunctions.defaultFunction')) void functionsTree.refresh('sutro');
      // Another deployment has other jobs.
      if (event.affectsConfiguration('aiFunctions.sutro.api') || event.affectsConfiguration('aiFunctions.sutro.apiUrl')) jobsStore.clear('sutro');
    }),
    new KeyBindingWatch(platforms, credentials, settings),
    ...new KeyCommands(platforms, credentials, log, settings).register(),
    ...jobCommands.register(),
    ...functionCommands.register(),
    runPanel,
    ...runPanel.register(),
    rows,
    ...rows.register(),
    evaluate,
    ...evaluate.register(),
    classify,
    ...classify.register(),
    registerCommand(log, 'aiFunctions.showLog', () => log.show()),
    ...welcome.register(),
    { dispose: () => void http.close() },
    // What ran in this window, for the next one's first request (core/bundleLoader.ts).
    { dispose: () => bundles.save() },
  );
  void hasKey.updateAll();
  void rows.showInterrupted().catch((error: unknown) => log.warn(`Could not look for stopped runs: ${messageOf(error)}`));
  welcome.openOnFirstRun();
  // Well after activation, load what a first request needs (undici, and the adapters of the
  // platforms that have a key), so that it does not wait for them. Never during activation.
  const warmUp = setTimeout(() => void warmUpRequests(platforms, credentials, http, log), WARM_UP_DELAY_MS);
  context.subscriptions.push({ dispose: () => clearTimeout(warmUp) });

  const api = new PublicApi(credentials, platforms, runs, settings, (request) => evaluate.evaluate(request));
  if (context.extensionMode === vscode.ExtensionMode.Test) {
    // The integration tests look inside the real, wired views; users never see this.
    const testing = {
      functionsTree,
      jobsTree,
      jobsStore,
      poller,
      documents,
      settings,
      classify,
      handoffs,
      get rowFiles() {
        return rows.load().files;
      },
      get rowRuns() {
        return rows.load().store;
      },
      /** A RowFiles that knows only what is on disk, as after a window reload. */
      reloadedRowFiles: () => rows.load().reloaded(),
      // Its proxyLoopback: loopback is never proxied, but the emulators are on loopback.
      http,
      get runPanel() {
        return runPanel.load();
      },
      get evaluation() {
        return evaluate.load();
      },
    };
    return Object.assign(api, { testing });
  }
  return api;
}

/** How long rows in flight get to finish (and be recorded) when the window closes. */
const STOP_GRACE_MS = 3_000;
let stopRowFiles: (() => Promise<void>) | undefined;

/** File runs stop sending; rows in flight finish and are journaled, so Resume loses nothing. */
export async function deactivate(): Promise<void> {
  await stopRowFiles?.();
}

/** How long after activation warmUpRequests runs: after the start-up work of the window, when it is likely idle. */
const WARM_UP_DELAY_MS = 3_000;

async function warmUpRequests(platforms: Platforms, credentials: CredentialStore, http: HttpClient, log: vscode.LogOutputChannel): Promise<void> {
  try {
    const withKey = await Promise.all(Object.values(platforms).map(async (adapter) => ((await credentials.has(adapter.id)) ? adapter : undefined)));
    if (!withKey.some(Boolean)) return;
    http.loadUndici();
    for (const adapter of withKey) if (adapter instanceof LazyAdapter) adapter.preload();
  } catch (error) {
    // The first request loads them then, and reports what fails.
    log.debug(`Loading the request code ahead of use failed: ${messageOf(error)}`);
  }
}
