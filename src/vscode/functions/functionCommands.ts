// Commands around functions: refresh, quick run, default function, copy id, Sutro add/remove.
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { type FunctionInfo, type PlatformId } from '../../core/model';
import { prettyJson, type ReadOnlyDocuments } from '../base/documents';
import type { FunctionPicker } from './functionPicker';
import { inert } from '../../core/untrusted';
import { resultHeadline } from '../../shared/results';
import { inputProblem, parseInput } from '../../shared/runInput';
import { registerCommand } from '../base/commands';
import { showStatus, withProgress } from '../base/notify';
import type { RunService } from '../run';
import type { Settings } from '../base/settings';
import type { ConfiguredFunctions } from './configuredFunctions';
import type { FunctionsNode, FunctionsTreeProvider } from './functionsTree';

export interface FunctionCommandsDeps {
  tree: FunctionsTreeProvider;
  picker: FunctionPicker;
  runs: RunService;
  settings: Settings;
  /** The platform whose functions the user names in settings. */
  configured: ConfiguredFunctions;
  documents: ReadOnlyDocuments;
  log: Logger;
}

type FunctionArg = FunctionsNode | { platform?: PlatformId } | undefined;

export class FunctionCommands {
  constructor(private readonly deps: FunctionCommandsDeps) {}

  register(): vscode.Disposable[] {
    const command = <A extends unknown[]>(id: string, body: (...args: A) => Promise<unknown>) => registerCommand(this.deps.log, id, body);
    return [
      command('aiFunctions.refreshFunctions', async (arg?: { platform?: PlatformId }) => {
        await withProgress({ location: { viewId: 'aiFunctions.functions' } }, () => this.deps.tree.refresh(arg?.platform));
      }),
      command('aiFunctions.runFunction', (arg?: FunctionArg) => this.quickRun(arg)),
      command('aiFunctions.setDefaultFunction', (arg?: FunctionArg) => this.setDefault(arg)),
      command('aiFunctions.copyFunctionId', (node: FunctionsNode) => this.copyId(node)),
      command('aiFunctions.addSutroFunction', (arg?: unknown) => this.addConfiguredFunction(arg)),
      command('aiFunctions.removeSutroFunction', (node: FunctionsNode) => this.removeConfiguredFunction(node)),
    ];
  }

  /**
   * The default function decides where Classify Selection sends text, so one given as an argument
   * (a tree node, or a command link that looks like one) must be a function the user's own list holds.
   */
  async setDefault(arg?: FunctionArg): Promise<FunctionInfo | undefined> {
    const given = functionOf(arg);
    if (given && !this.deps.tree.loaded(given.platform)?.some((fn) => fn.id === given.id)) {
      throw new Error(`${this.deps.runs.descriptor(given.platform).displayName} has no function "${inert(given.id, 100)}" in the Functions view, so it was not made the default.`);
    }
    const fn = given ?? (await this.deps.picker.pick('Set the default function (used by Classify Selection)'));
    if (!fn) return undefined;
    await this.deps.settings.setDefaultFunction({ platform: fn.platform, id: fn.id });
    this.deps.tree.redraw();
    showStatus('star-full', `Default function: ${fn.name} (${this.deps.runs.descriptor(fn.platform).displayName})`, 4000);
    return fn;
  }

  private async quickRun(arg?: FunctionArg): Promise<void> {
    const fn = functionOf(arg) ?? (await this.deps.picker.pick('Run which function?', platformOf(arg)));
    if (!fn) return;
    const editor = vscode.window.activeTextEditor;
    const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
    const text =
      selected ??
      (await vscode.window.showInputBox({
        title: inert(`Run ${fn.name}`, 200),
        prompt: 'Input text, or a JSON object of input fields',
        ignoreFocusOut: true,
        validateInput: (value) => inputProblem(value),
      }));
    if (text === undefined) return;
    const problem = inputProblem(text);
    if (problem) throw new Error(problem);
    const result = await withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Running ${fn.name} on ${this.deps.runs.descriptor(fn.platform).displayName}…`, cancellable: true },
      (_progress, token) => this.deps.runs.run({ platform: fn.platform, function: fn.id, input: parseInput(text) }, token),
    );
    await this.deps.documents.show(`${fn.platform}/result/${encodeURIComponent(fn.id)}`, `${fn.name} result.json`, prettyJson(result), { preview: true });
    showStatus('sparkle', `${fn.name}: ${resultHeadline(result)}`, 8000);
  }

  private async copyId(node: FunctionsNode): Promise<void> {
    const fn = functionOf(node);
    if (!fn) return;
    await vscode.env.clipboard.writeText(fn.id);
    showStatus('copy', `Copied ${fn.id}`, 3000);
  }

  /** Asks for the name and input fields, or takes `{ name, inputFields? }` from a script. */
  private async addConfiguredFunction(arg?: unknown): Promise<void> {
    const given = arg as { name?: unknown; inputFields?: unknown } | undefined;
    if (given && typeof given.name === 'string') {
      const fields = Array.isArray(given.inputFields) ? given.inputFields.filter((f): f is string => typeof f === 'string') : [];
      return this.saveConfiguredFunction(given.name, fields);
    }
    const { displayName, words } = this.deps.runs.descriptor(this.deps.configured.platform);
    const name = await vscode.window.showInputBox({
      title: `Add a ${displayName} ${words.function} (1/2)`,
      prompt: `The ${words.function} name, as published in ${displayName} (no namespace or revision)`,
      ignoreFocusOut: true,
      validateInput: (value) => (FUNCTION_NAME.test(value.trim()) ? undefined : 'Letters, digits, "-", "_" and "." only.'),
    });
    if (!name) return;
    const fields = await vscode.window.showInputBox({
      title: `Add a ${displayName} ${words.function} (2/2)`,
      prompt: 'Its input field names, separated by commas (leave empty if it takes one text input)',
      ignoreFocusOut: true,
    });
    if (fields === undefined) return;
    await this.saveConfiguredFunction(name, fields.split(','));
  }

  private async saveConfiguredFunction(rawName: string, rawFields: string[]): Promise<void> {
    const { configured } = this.deps;
    const { displayName, words } = this.deps.runs.descriptor(configured.platform);
    const name = rawName.trim();
    if (!FUNCTION_NAME.test(name)) throw new Error(`"${inert(name, 100)}" is not a ${displayName} ${words.function} name: use letters, digits, "-", "_" and ".".`);
    const inputFields = rawFields.map((f) => f.trim()).filter(Boolean);
    const others = configured.list().filter((f) => f.name !== name);
    await configured.save([...others, { name, ...(inputFields.length ? { inputFields } : {}) }]);
    await this.deps.tree.refresh(configured.platform);
  }

  private async removeConfiguredFunction(node: FunctionsNode): Promise<void> {
    const fn = functionOf(node);
    if (!fn) return;
    const { configured } = this.deps;
    await configured.save(configured.list().filter((f) => f.name !== fn.id));
    await this.deps.tree.refresh(configured.platform);
  }
}

/** The names a configured function may have. */
const FUNCTION_NAME = /^[A-Za-z0-9][\w.-]*$/;

export function functionOf(arg: unknown): FunctionInfo | undefined {
  const node = arg as FunctionsNode | undefined;
  return node && typeof node === 'object' && node.kind === 'function' ? node.fn : undefined;
}

function platformOf(arg: unknown): PlatformId[] | undefined {
  const platform = (arg as { platform?: PlatformId } | undefined)?.platform;
  return platform ? [platform] : undefined;
}
