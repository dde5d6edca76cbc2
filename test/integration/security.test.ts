// Security in the real extension host: unique keys planted for each platform (through the public
// API) never appear in any log file of the run, any open document, any notification, any error,
// any message the run panel posts to its webview, the panel's stored state, or this test run's
// own output, whatever the extension did with them: runs, lists, jobs, rows, Classify Selection,
// the run panel, and failures (401s that echo nothing, and servers that echo the key back).
// Also: URL settings come from user settings only, http:// is refused off loopback, and the run
// panel's webview has a strict CSP and rejects messages it does not know.
//
// The run folder (for the log files) comes from AI_FUNCTIONS_RUN_DIR (test/runIntegration.ts).
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AiFunctionsApi } from '../../src/api';
import type { RowsCommandResult } from '../../src/vscode/rows/rowCommands';
import type { HostMessage, RunForm } from '../../src/shared/panelProtocol';
import type { RunPanelController } from '../../src/vscode/panel/runPanel';
import { Settings, URL_SETTINGS } from '../../src/vscode/base/settings';
import { INFERABLE_DEFAULT_KEY } from '../emulator/inferable';
import { NYCKEL_DEFAULT_CLIENT_ID, NYCKEL_DEFAULT_CLIENT_SECRET } from '../emulator/nyckel';
import { SUTRO_DEFAULT_KEY } from '../emulator/sutro';
import { emulators, setAllKeys, testing } from './environment';
import { answerModals, api, config, GLOBAL, waitFor } from './helpers';

const id = randomBytes(8).toString('hex');
/** What is planted, by the name a failure message uses (never the value). */
const PLANTED: Record<string, string> = {
  'Sutro API key': `sk_test_planted_${id}_sutro`,
  'Nyckel client id': `nyckel_client_planted_${id}`,
  'Nyckel client secret': `nyckel_secret_planted_${id}`,
  'Inferable API key': `sk_inf_planted_${id}_inferable`,
};
const SUTRO_KEY = PLANTED['Sutro API key']!;
const NYCKEL = { clientId: PLANTED['Nyckel client id']!, clientSecret: PLANTED['Nyckel client secret']! };
const INFERABLE_KEY = PLANTED['Inferable API key']!;

/** Access tokens the Nyckel emulator issued to the planted credentials: secrets too. */
const tokens = new Set<string>();

function secrets(): [string, string][] {
  return [...Object.entries(PLANTED), ...[...tokens].map((t, i): [string, string] => [`Nyckel access token #${i + 1}`, t])];
}

/** Fails naming the secret and showing where, with every secret masked. */
function assertNoSecret(where: string, text: string): void {
  for (const [name, value] of secrets()) {
    const at = text.indexOf(value);
    if (at < 0) continue;
    let context = text.slice(Math.max(0, at - 80), at + value.length + 80);
    for (const [other, secret] of secrets()) context = context.split(secret).join(`<${other}>`);
    assert.fail(`${where} holds the planted ${name}: …${context.replace(/\s+/g, ' ')}…`);
  }
}

function errorText(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error) {
      parts.push(e.name, e.message, e.stack ?? '', String((e as { platformMessage?: unknown }).platformMessage ?? ''));
      try {
        parts.push(JSON.stringify(e));
      } catch {
        // a cycle
      }
      e = (e as { cause?: unknown }).cause;
    } else {
      parts.push(String(e));
      break;
    }
  }
  return parts.join('\n');
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return entry.isFile() ? [full] : [];
  });
}

/** A server that refuses everything with 401, echoing the Authorization header and the body back. */
async function startEchoServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const echo = `Invalid credentials: authorization=${req.headers.authorization ?? ''} body=${body}`;
      const payload = JSON.stringify({ detail: echo, message: echo, error: echo, error_description: echo });
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': `Bearer error="${echo.replace(/"/g, '')}"` });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('security: planted keys never leak', function () {
  this.timeout(120_000);

  let extension: AiFunctionsApi;
  /** Every failure the tests provoked, as text (message, stack, cause, JSON). */
  const errors: string[] = [];
  /** Every notification the extension showed. */
  const notifications: string[] = [];
  /** What this test run printed (mocha's reporter, console) while the suite ran. */
  const output: string[] = [];
  const posted: HostMessage[] = [];
  const restore: (() => unknown)[] = [];

  const failure = async (promise: PromiseLike<unknown>, pattern?: RegExp): Promise<string> => {
    try {
      await promise;
    } catch (error) {
      const text = errorText(error);
      errors.push(text);
      if (pattern) assert.match(error instanceof Error ? error.message : String(error), pattern);
      return error instanceof Error ? error.message : String(error);
    }
    assert.fail('expected a failure');
  };

  before(async () => {
    const emu = await emulators();
    // The emulators accept only the planted credentials while this suite runs.
    emu.sutro.configure({ keys: [SUTRO_KEY] });
    emu.nyckel.configure({ clientId: NYCKEL.clientId, clientSecret: NYCKEL.clientSecret });
    emu.inferable.configure({ keys: [INFERABLE_KEY] });
    restore.push(() => {
      emu.sutro.configure({ keys: [SUTRO_DEFAULT_KEY] });
      emu.nyckel.configure({ clientId: NYCKEL_DEFAULT_CLIENT_ID, clientSecret: NYCKEL_DEFAULT_CLIENT_SECRET });
      emu.inferable.configure({ keys: [INFERABLE_DEFAULT_KEY] });
    });

    // Everything the extension logs, debug lines included (the default level, so it applies to its channel).
    const level = await vscode.commands.executeCommand<string>('_extensionTests.getLogLevel');
    await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'debug');
    restore.push(() => vscode.commands.executeCommand('_extensionTests.setLogLevel', level ?? 'info'));

    // Notifications: the extension and these tests share the vscode API object.
    const window = vscode.window as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const name of ['showErrorMessage', 'showWarningMessage', 'showInformationMessage']) {
      const original = window[name]!;
      window[name] = (...args: unknown[]) => {
        notifications.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' | '));
        return original.apply(vscode.window, args);
      };
      restore.push(() => void (window[name] = original));
    }

    // This run's own output.
    const streams = [process.stdout, process.stderr] as unknown as { write: (...args: unknown[]) => boolean }[];
    for (const stream of streams) {
      const write = stream.write;
      stream.write = (...args: unknown[]) => {
        output.push(String(args[0]));
        return write.apply(stream, args);
      };
      restore.push(() => void (stream.write = write));
    }
    const con = console as unknown as Record<string, (...args: unknown[]) => void>;
    for (const name of ['log', 'info', 'warn', 'error', 'debug']) {
      const original = con[name]!;
      con[name] = (...args: unknown[]) => {
        output.push(args.map(String).join(' '));
        original.apply(console, args);
      };
      restore.push(() => void (con[name] = original));
    }

    extension = await api();
    await extension.setApiKey('sutro', { apiKey: SUTRO_KEY });
    await extension.setApiKey('nyckel', NYCKEL);
    await extension.setApiKey('inferable', { apiKey: INFERABLE_KEY });
  });

  after(async () => {
    for (const undo of restore.reverse()) await undo();
    await setAllKeys();
  });

  async function runPanel(): Promise<RunPanelController> {
    const handles = (await testing()) as unknown as { runPanel?: RunPanelController };
    assert.ok(handles.runPanel, 'the extension exposes its run panel to tests');
    return handles.runPanel;
  }

  it('uses the planted keys for runs, lists, jobs, rows and Classify Selection', async () => {
    const emu = await emulators();
    emu.sutro.clearRequests();
    const sutro = await extension.runFunction({ platform: 'sutro', function: 'lead-qualifier', input: { query: 'We have budget and want a demo', region: 'APAC' } });
    assert.equal(sutro.label, 'qualified');
    assert.equal(emu.sutro.requestsTo('/functions/run', 'POST')[0]?.headers.authorization, `Key ${SUTRO_KEY}`, 'the planted key was used');
    const nyckel = await extension.runFunction({ platform: 'nyckel', function: 'function_leadintent', input: 'We want pricing for a trial', options: { labelCount: 2 } });
    assert.equal(nyckel.label, 'qualified');
    const inferable = await extension.runFunction({ platform: 'inferable', function: '', input: 'How many items are in stock?' });
    assert.equal(inferable.kind, 'run');

    assert.ok((await extension.listFunctions('nyckel')).length > 0);
    assert.ok((await extension.listFunctions('inferable')).length > 0);
    await extension.listFunctions('sutro');
    const jobs = await extension.listJobs('sutro', { limit: 5 });
    await extension.getJob('sutro', jobs.items[0]!.id);
    const runs = await extension.listJobs('inferable');
    if (runs.items[0]) await extension.getJob('inferable', runs.items[0].id);

    // Job details and results documents, the Jobs view, rows, Classify Selection.
    await vscode.commands.executeCommand('aiFunctions.openJob', { platform: 'sutro', id: jobs.items[0]!.id });
    await vscode.commands.executeCommand('aiFunctions.refreshJobs');
    const confirmRun = answerModals((_message, buttons) => buttons.find((b) => b === 'Run'));
    let rows: RowsCommandResult | undefined;
    try {
      rows = await vscode.commands.executeCommand<RowsCommandResult | undefined>('aiFunctions.runOnEachLine', {
        platform: 'sutro',
        function: 'sentiment',
        text: 'I love it\nIt is broken\n',
        mode: 'rows',
      });
    } finally {
      confirmRun.restore();
    }
    assert.ok(rows, 'the rows ran');
    const document = await vscode.workspace.openTextDocument({ content: 'We have budget and want a demo\n', language: 'plaintext' });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 0, 0, 30);
    await vscode.commands.executeCommand('aiFunctions.classifySelection', { platform: 'nyckel', function: 'function_leadintent' });
    for (const token of emu.nyckel.tokens.keys()) tokens.add(token);
    assert.ok(tokens.size > 0, 'Nyckel issued an access token');
  });

  it('keeps the keys out of errors: rejected keys (401 echoing nothing), servers that echo the key, other failures', async () => {
    const emu = await emulators();
    // The emulators stop accepting the planted keys: plain 401s with nothing echoed.
    emu.sutro.configure({ keys: ['sk_someone_else'] });
    emu.nyckel.configure({ clientSecret: 'another_secret_entirely' });
    emu.nyckel.revokeTokens();
    emu.inferable.configure({ keys: ['sk_inf_someone_else'] });
    try {
      await failure(extension.runFunction({ platform: 'sutro', function: 'lead-qualifier', input: { query: 'q', region: 'NA' } }), /Set API Key/);
      await failure(extension.listJobs('sutro', { limit: 1 }), /401/);
      await failure(extension.runFunction({ platform: 'nyckel', function: 'function_leadintent', input: 'hello' }));
      await failure(extension.listFunctions('inferable'), /401|rejected/);
      // Through commands: the error becomes a notification and a log line.
      await vscode.commands.executeCommand('aiFunctions.openJob', { platform: 'sutro', id: 'job-00001' });
      await vscode.commands.executeCommand('aiFunctions.classifySelection', { platform: 'sutro', function: 'sentiment' });
    } finally {
      emu.sutro.configure({ keys: [SUTRO_KEY] });
      emu.nyckel.configure({ clientSecret: NYCKEL.clientSecret });
      emu.inferable.configure({ keys: [INFERABLE_KEY] });
    }

    // Servers that echo the key (header and form body) back in their error and a header.
    const echo = await startEchoServer();
    const saved = Object.fromEntries(URL_SETTINGS.map((name) => [name, config().inspect<string>(name)?.globalValue]));
    try {
      for (const name of URL_SETTINGS) await config().update(name, echo.url, GLOBAL);
      // A Sutro key is bound to the host it was set for: set it for the echo server, as a user would.
      await extension.setApiKey('sutro', { apiKey: SUTRO_KEY });
      const sutroMessage = await failure(extension.runFunction({ platform: 'sutro', function: 'lead-qualifier', input: { query: 'q', region: 'NA' } }), /401/);
      assert.match(sutroMessage, /\*\*\*/, 'the echoed key was replaced');
      await failure(extension.listJobs('sutro', { limit: 1 }), /401/);
      await failure(extension.listFunctions('nyckel'));
      await failure(extension.runFunction({ platform: 'inferable', function: '', input: 'hello' }));
      await vscode.commands.executeCommand('aiFunctions.openJob', { platform: 'inferable', id: 'run_1' });
    } finally {
      for (const name of URL_SETTINGS) await config().update(name, saved[name], GLOBAL);
      await extension.setApiKey('sutro', { apiKey: SUTRO_KEY });
      await echo.close();
    }

    // Other failures: not found, rate limited beyond the wait we accept, a server error.
    await failure(extension.runFunction({ platform: 'sutro', function: 'no-such-function', input: { text: 'x' } }), /could not find/);
    emu.sutro.faults.set({ rateLimit: { count: 1, retryAfter: 3600 }, serverError: { count: 1, status: 500 } });
    try {
      await failure(extension.listJobs('sutro', { limit: 1 }), /429/);
      await failure(extension.runFunction({ platform: 'sutro', function: 'sentiment', input: { text: 'x' } }), /500/);
    } finally {
      emu.sutro.faults.clear();
    }
    for (const [i, text] of errors.entries()) assertNoSecret(`error #${i + 1}`, text);
    assert.ok(errors.length >= 11, `failures provoked: ${errors.length}`);
  });

  it('never hands a key to the run panel: its messages, HTML and stored state hold none', async () => {
    const panel = await runPanel();
    const subscription = panel.onDidPostMessage((message) => posted.push(message));
    try {
      await vscode.commands.executeCommand('aiFunctions.openRunPanel', { platform: 'sutro', function: 'lead-qualifier' });
      await waitFor('the webview to say ready', () => panel.isReady, 20_000);
      const form = (over: Partial<RunForm>): RunForm => ({ platform: 'sutro', function: 'lead-qualifier', inputMode: 'fields', input: '', fields: {}, options: {}, ...over });
      await panel.handleMessage({ type: 'run', runId: 'secSutro', form: form({ fields: { query: 'We have budget', region: 'APAC' } }) });
      await panel.handleMessage({ type: 'run', runId: 'secNyckel', form: form({ platform: 'nyckel', function: 'function_leadintent', inputMode: 'text', input: 'We want a demo' }) });
      await panel.handleMessage({ type: 'run', runId: 'secInferable', form: form({ platform: 'inferable', function: '', inputMode: 'text', input: 'How many items?' }) });
      const results = posted.filter((m) => m.type === 'result').length;
      assert.equal(results, 3, `three results were posted (got ${posted.map((m) => m.type).join(', ')})`);

      // A rejected key: the error reaches the panel, the key does not.
      const emu = await emulators();
      emu.sutro.configure({ keys: ['sk_someone_else'] });
      try {
        await panel.handleMessage({ type: 'run', runId: 'secAuth', form: form({ fields: { query: 'q', region: 'NA' } }) });
      } finally {
        emu.sutro.configure({ keys: [SUTRO_KEY] });
      }
      assert.ok(posted.some((m) => m.type === 'error'), 'the 401 was posted as an error');

      // Messages the panel does not know, or that ask for keys, are refused without an answer.
      const before = posted.length;
      for (const message of [
        { type: 'getApiKey', platform: 'sutro' },
        { type: 'setApiKey', platform: 'sutro', apiKey: 'sk_from_the_webview' },
        { type: 'eval', code: 'process.env' },
        { type: 'run', runId: 'x', form: form({}), extra: 'field' },
        { type: 'RUN', runId: 'y', form: form({}) },
      ]) {
        assert.equal(await panel.handleMessage(message), false, `${message.type} is refused`);
      }
      assert.equal(posted.length, before, 'nothing was posted back to a refused message');

      const webviewPanel = panel.currentPanel;
      assert.ok(webviewPanel);
      const html = webviewPanel.webview.html;
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
      assert.ok(csp, 'the webview has a CSP');
      assert.match(csp, /(^|;)\s*default-src 'none'/);
      assert.match(csp, /(^|;)\s*script-src 'nonce-[A-Za-z0-9+/=]{16,}'\s*(;|$)/);
      // No unsafe sources, and no wildcard beyond VS Code's own resource origin (webview.cspSource).
      const own = webviewPanel.webview.cspSource.split(/\s+/);
      const sources = csp.split(';').flatMap((d) => d.trim().split(/\s+/).slice(1)).filter((s) => !own.includes(s));
      assert.deepEqual(sources.filter((s) => /unsafe-|\*|^data:|^https?:$|^blob:/.test(s)), [], 'no unsafe or wildcard sources');
      assertNoSecret('the webview HTML', html);
      assertNoSecret('the recent runs kept in globalState', JSON.stringify(panel.deps.state.get('aiFunctions.recentRuns') ?? null));
    } finally {
      subscription.dispose();
    }
    posted.forEach((message, i) => assertNoSecret(`the webview message #${i + 1} (${message.type})`, JSON.stringify(message)));
  });

  it('reads URL settings from user settings only, and refuses http:// off loopback before anything is sent', async () => {
    const settings = new Settings();
    // The fixture workspace's .vscode/settings.json points every URL at attacker.example.com.
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the test workspace is open');
    const workspaceSettings = JSON.parse(fs.readFileSync(path.join(folder, '.vscode', 'settings.json'), 'utf8')) as Record<string, string>;
    for (const name of URL_SETTINGS) {
      assert.match(workspaceSettings[`aiFunctions.${name}`] ?? '', /attacker\.example\.com/, `the workspace sets ${name}`);
      assert.ok(!settings.url(name).includes('attacker'), `${name} ignores the workspace value`);
    }
    // Requests with the planted keys went to the emulators only.
    const emu = await emulators();
    emu.sutro.clearRequests();
    await extension.listJobs('sutro', { limit: 1 });
    assert.equal(emu.sutro.requestsTo('/list-jobs').length, 1);

    const saved = config().inspect<string>('sutro.apiUrl')?.globalValue;
    await config().update('sutro.apiUrl', 'http://jobs.example.com', GLOBAL);
    try {
      emu.sutro.clearRequests();
      const message = await failure(extension.listJobs('sutro', { limit: 1 }), /aiFunctions\.sutro\.apiUrl.*loopback|loopback.*aiFunctions\.sutro\.apiUrl/);
      assertNoSecret('the http:// refusal', message);
      assert.equal(emu.sutro.requests.length, 0);
    } finally {
      await config().update('sutro.apiUrl', saved, GLOBAL);
    }
  });

  it('leaves no planted key in any log file, open document, notification or the test output', async () => {
    for (const token of (await emulators()).nyckel.tokens.keys()) tokens.add(token);
    // Documents: every text document open in the window (job details, results, rows, editors).
    const documents = vscode.workspace.textDocuments;
    assert.ok(documents.some((d) => d.uri.scheme === 'ai-functions'), 'the extension opened documents of its own');
    for (const document of documents) assertNoSecret(`the document ${document.uri.toString()}`, document.getText());

    notifications.forEach((text, i) => assertNoSecret(`notification #${i + 1}`, text));
    assert.ok(notifications.length > 0, 'failures were shown');

    // Log files: the extension's own log and every other log of this VS Code run.
    const runDir = process.env.AI_FUNCTIONS_RUN_DIR;
    if (!runDir) {
      console.log('    (AI_FUNCTIONS_RUN_DIR is not set: the log files were not searched)');
    } else {
      const logs = filesUnder(path.join(runDir, 'ud', 'logs'));
      const serverLog = path.join(runDir, 'code-server.log');
      if (fs.existsSync(serverLog)) logs.push(serverLog);
      // The log channel writes asynchronously: wait for our last failure to be there.
      let ours: string | undefined;
      await waitFor(
        'the extension log to hold the last failure',
        () => {
          ours = filesUnder(path.join(runDir, 'ud', 'logs')).find((f) => /AI Functions\.log$/.test(f));
          return ours && /failed: Sutro had a server error \(500\)/.test(fs.readFileSync(ours, 'utf8')) ? true : undefined;
        },
        15_000,
      );
      const text = fs.readFileSync(ours!, 'utf8');
      assert.match(text, /\[debug\] (GET|POST) \/\S+ 200 \d+ms/, 'debug lines were logged (debug level)');
      assert.match(text, /rejected the (API key|client credentials) \(401\)/, 'the 401s were logged');
      for (const file of logs) {
        let content: string;
        try {
          content = fs.readFileSync(file, 'utf8');
        } catch {
          continue; // removed meanwhile (rotated)
        }
        assertNoSecret(`the log file ${path.relative(runDir, file)}`, content);
      }
    }

    output.forEach((text, i) => assertNoSecret(`test output line #${i + 1}`, text));
  });
});
