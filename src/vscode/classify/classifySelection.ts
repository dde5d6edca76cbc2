// Classify Selection: runs a function on each selection and shows the answer right after the
// selected text, with a hover holding the predictions, the rationale and "Open in Run Panel".
import { Disposable } from '../base/disposable';
import * as vscode from 'vscode';
import { formatPercent } from '../../core/format';
import type { Logger } from '../../core/log';
import { type FunctionInfo, type PlatformId, type RunResult } from '../../core/model';
import { inert, inertMarkdown } from '../../core/untrusted';
import { resultHeadline } from '../../shared/results';
import { functionOf } from '../functions';
import { parseInput } from '../../shared/runInput';
import type { FunctionPicker } from '../functions';
import { registerCommand } from '../base/commands';
import { errorMessage, isCancellation, showError, showInformation, showStatus, showWarning, withProgress } from '../base/notify';
import type { PanelHandoffs } from '../run';
import type { RunService } from '../run';
import type { Settings } from '../base/settings';
import type { FunctionsTreeProvider } from '../functions';

/** Several selections run side by side, but politely. */
const SELECTIONS_IN_FLIGHT = 4;

export interface Classification {
  /** Offsets in the document, kept up to date as the user edits around them. */
  start: number;
  end: number;
  fn: { platform: PlatformId; id: string; name: string; platformName: string };
  input: string;
  result?: RunResult;
  error?: string;
  /** The id "Open in Run Panel" passes (see PanelHandoffs). */
  handoff?: string;
}

type Target = { platform: PlatformId; function: string; name?: string };

export class ClassifySelection extends Disposable {
  private readonly decoration = this._register(vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 1em', color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  }));
  private readonly byDocument = new Map<string, Classification[]>();

  constructor(
    private readonly runs: RunService,
    private readonly picker: FunctionPicker,
    private readonly functions: FunctionsTreeProvider,
    private readonly settings: Settings,
    private readonly handoffs: PanelHandoffs,
    private readonly log: Logger,
  ) {
    super();
    this._register(vscode.workspace.onDidChangeTextDocument((event) => this.onEdit(event)));
    this._register(vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((editor) => this.render(editor))));
    this._register(vscode.workspace.onDidCloseTextDocument((document) => this.byDocument.delete(document.uri.toString())));
  }

  register(): vscode.Disposable[] {
    return [
      registerCommand(this.log, 'aiFunctions.classifySelection', (arg?: unknown) => this.classify(arg)),
      registerCommand(this.log, 'aiFunctions.clearClassifications', () => this.clear(vscode.window.activeTextEditor)),
    ];
  }

  /** The classifications shown in a document (for tests and the hover). */
  classifications(uri: vscode.Uri): readonly Classification[] {
    return this.byDocument.get(uri.toString()) ?? [];
  }

  async classify(arg?: unknown): Promise<Classification[]> {
    const editor = vscode.window.activeTextEditor;
    const selections = editor?.selections.filter((selection) => !editor.document.getText(selection).trim().match(/^$/)) ?? [];
    if (!editor || selections.length === 0) {
      void showWarning('Select the text to classify first (one or more selections).');
      return [];
    }
    const target = await this.chooseFunction(arg);
    if (!target) return [];
    const name = target.name ?? this.functions.loaded(target.platform)?.find((fn) => fn.id === target.function)?.name ?? target.function;
    const document = editor.document;
    const items: Classification[] = selections.map((selection) => ({
      start: document.offsetAt(selection.start),
      end: document.offsetAt(selection.end),
      fn: { platform: target.platform, id: target.function, name, platformName: this.runs.descriptor(target.platform).displayName },
      input: document.getText(selection),
    }));

    // The error itself (not only its message) goes to showError, so it offers the right action.
    let firstFailure: unknown;
    await withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Classifying ${items.length === 1 ? 'the selection' : `${items.length} selections`} with ${name}`,
        cancellable: true,
      },
      async (progress, token) => {
        let next = 0;
        const worker = async () => {
          while (next < items.length && !token.isCancellationRequested) {
            const item = items[next++];
            try {
              const options = this.runs.descriptor(target.platform).allPredictions;
              item.result = await this.runs.run({ platform: target.platform, function: target.function, input: parseInput(item.input), options }, token);
              item.handoff = this.handoffs.add({ platform: target.platform, function: target.function, input: item.input, result: { ...item.result, raw: undefined } });
            } catch (error) {
              if (isCancellation(error)) return;
              item.error = errorMessage(error);
              firstFailure ??= error;
            }
            this.put(document, item);
            progress.report({ increment: 100 / items.length });
          }
        };
        await Promise.all(Array.from({ length: Math.min(SELECTIONS_IN_FLIGHT, items.length) }, worker));
      },
    );

    const failed = items.filter((item) => item.error);
    if (failed.length > 0) showError(firstFailure, this.log, failed.length > 1 ? `${failed.length} of ${items.length} selections failed` : undefined);
    const done = items.filter((item) => item.result);
    if (done.length > 0) showStatus('sparkle', `${name}: ${summary(done)}`, 8000);
    return items;
  }

  private async chooseFunction(arg: unknown): Promise<Target | undefined> {
    const node = functionOf(arg);
    if (node) return { platform: node.platform, function: node.id, name: node.name };
    const given = arg as { platform?: PlatformId; function?: string } | undefined;
    if (given?.platform && typeof given.function === 'string') return { platform: given.platform, function: given.function };
    const saved = this.settings.defaultFunction();
    if (saved) return { platform: saved.platform, function: saved.id };
    const picked = await this.picker.pick('Classify the selection with which function?');
    if (picked) void this.offerToRemember(picked);
    return picked ? { platform: picked.platform, function: picked.id, name: picked.name } : undefined;
  }

  private async offerToRemember(fn: FunctionInfo): Promise<void> {
    const choice = await showInformation(`Always classify selections with ${fn.name} (${this.runs.descriptor(fn.platform).displayName})?`, 'Remember', 'Not Now');
    if (choice === 'Remember') await vscode.commands.executeCommand('aiFunctions.setDefaultFunction', { kind: 'function', platform: fn.platform, fn });
  }

  private put(document: vscode.TextDocument, item: Classification): void {
    const key = document.uri.toString();
    const kept = (this.byDocument.get(key) ?? []).filter((other) => other.end <= item.start || other.start >= item.end || other === item);
    if (!kept.includes(item)) kept.push(item);
    this.byDocument.set(key, kept);
    for (const editor of vscode.window.visibleTextEditors) if (editor.document === document) this.render(editor);
  }

  /** Never throws: one odd answer must not stop a document's decorations from updating. */
  private render(editor: vscode.TextEditor): void {
    const items = this.byDocument.get(editor.document.uri.toString()) ?? [];
    editor.setDecorations(
      this.decoration,
      items.map((item) => {
        const end = editor.document.positionAt(item.end);
        return {
          range: new vscode.Range(end, end),
          hoverMessage: classificationHover(item),
          renderOptions: { after: { contentText: decorationText(item) } },
        };
      }),
    );
  }

  private onEdit(event: vscode.TextDocumentChangeEvent): void {
    const key = event.document.uri.toString();
    let items = this.byDocument.get(key);
    if (!items || event.contentChanges.length === 0) return;
    for (const change of event.contentChanges) {
      const changeStart = change.rangeOffset;
      const changeEnd = change.rangeOffset + change.rangeLength;
      const delta = change.text.length - change.rangeLength;
      // An edit inside a classified span makes its answer stale: drop it. Spans after it move.
      items = items.filter((item) => item.end < changeStart || item.start > changeEnd);
      for (const item of items) {
        if (item.start > changeEnd) {
          item.start += delta;
          item.end += delta;
        }
      }
    }
    this.byDocument.set(key, items);
    for (const editor of vscode.window.visibleTextEditors) if (editor.document === event.document) this.render(editor);
  }

  private clear(editor?: vscode.TextEditor): void {
    if (!editor) return;
    this.byDocument.delete(editor.document.uri.toString());
    this.render(editor);
  }

  override dispose(): void {
    super.dispose();
    this.byDocument.clear();
  }
}

export function decorationText(item: Classification): string {
  if (item.error) return '⚠ failed (hover for details)';
  return item.result ? inert(resultHeadline(item.result), 80) : '…';
}

export function classificationHover(item: Classification): vscode.MarkdownString {
  // Only our own command may run from this hover; every platform value is escaped.
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: ['aiFunctions.openRunPanel'] };
  md.appendMarkdown(`**${inertMarkdown(item.fn.name)}** · ${item.fn.platformName}\n\n`);
  if (item.error) {
    md.appendMarkdown(`$(error) ${inertMarkdown(item.error)}\n\n`);
  } else if (item.result) {
    const result = item.result;
    if (result.label !== undefined) {
      md.appendMarkdown(`**${inertMarkdown(result.label)}**${result.confidence !== undefined ? ` · ${formatPercent(result.confidence)}` : ''}\n\n`);
    }
    if (result.predictions.length > 0) {
      md.appendMarkdown('| label | confidence |\n|---|---:|\n');
      for (const p of [...result.predictions].sort((a, b) => b.confidence - a.confidence)) {
        md.appendMarkdown(`| ${inertMarkdown(p.label, 200)} | ${formatPercent(p.confidence)} |\n`);
      }
      md.appendMarkdown('\n');
    }
    if (result.output !== undefined && result.label === undefined) md.appendCodeblock(outputPreview(result.output), 'json');
    if (result.rationale) md.appendMarkdown(`*${inertMarkdown(result.rationale)}*\n\n`);
    if (result.summary) md.appendMarkdown(`${inertMarkdown(result.summary)}\n\n`);
    md.appendMarkdown(`${result.durationMs} ms\n\n`);
  }
  if (item.handoff) {
    const args = encodeURIComponent(JSON.stringify([{ handoff: item.handoff }]));
    md.appendMarkdown(`[$(preview) Open in Run Panel](command:aiFunctions.openRunPanel?${args})`);
  }
  return md;
}

const OUTPUT_PREVIEW_CHARS = 2000;

/** The output as JSON for a code block (where nothing is rendered as Markdown), short, never throwing. */
function outputPreview(output: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(output, null, 2) ?? String(output);
  } catch {
    text = '(this output cannot be shown as JSON)';
  }
  return text.length > OUTPUT_PREVIEW_CHARS ? `${text.slice(0, OUTPUT_PREVIEW_CHARS)}\n…` : text;
}

function summary(done: Classification[]): string {
  if (done.length === 1 && done[0].result) return resultHeadline(done[0].result);
  const counts = new Map<string, number>();
  for (const item of done) {
    const label = item.result?.label ?? 'done';
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return `${done.length} classified: ${[...counts].map(([label, n]) => `${label} ×${n}`).join(', ')}`;
}
