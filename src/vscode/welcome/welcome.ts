// The Get Started walkthrough's side in code: it opens once, on the first activation after
// install (firstRun.ts decides), and its "try it" buttons open a sample document to work on.
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { messageOf } from '../../core/errors';
import { registerCommand } from '../base/commands';
import { shouldOpenWalkthrough, walkthroughRef, type FirstRunFacts } from './firstRun';

/** A few leads to classify, one per line (also what Run Function on Each Line runs over). */
export const SAMPLE_TEXT = [
  'We have budget approved and want a demo next week.',
  'Just browsing, sent by a friend.',
  'Our team of 40 needs this by the end of the quarter. Can you send pricing?',
  'Please remove me from your mailing list.',
  'Interested, but we are locked into another vendor until next year.',
  '',
].join('\n');

/** What the sample command runs once the sample is open: nothing, Classify Selection, or Run Function on Each Line. */
const THEN = { classify: 'aiFunctions.classifySelection', eachLine: 'aiFunctions.runOnEachLine' } as const;
type Then = keyof typeof THEN;

export interface WelcomeDeps {
  context: Pick<vscode.ExtensionContext, 'extension' | 'extensionMode' | 'globalState'>;
  hasAnyKey: () => Promise<boolean>;
  log: Logger;
}

export class Welcome {
  constructor(private readonly deps: WelcomeDeps) {}

  register(): vscode.Disposable[] {
    return [registerCommand(this.deps.log, 'aiFunctions.openSample', (then?: unknown) => this.openSample(then))];
  }

  /**
   * Opens the walkthrough if this is the first activation after install. Fire and forget: it
   * runs after activation returns and never fails activation.
   */
  openOnFirstRun(): void {
    setTimeout(() => {
      this.maybeOpen().catch((e: unknown) => this.deps.log.warn(`Could not open the Get Started walkthrough: ${messageOf(e)}`));
    }, 0);
  }

  async maybeOpen(): Promise<boolean> {
    const { context } = this.deps;
    const facts: FirstRunFacts = {
      // Development (F5, `npm start`, the browser tests' session) is not a new user's first run.
      testMode: context.extensionMode !== vscode.ExtensionMode.Production,
      openOnInstall: vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall', true),
      hasAnyKey: this.deps.hasAnyKey,
    };
    if (!(await shouldOpenWalkthrough(context.globalState, facts))) return false;
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', walkthroughRef(context.extension.id), false);
    return true;
  }

  /**
   * Opens the sample leads beside the walkthrough with the first line selected; with `then`
   * (`classify` or `eachLine`, from a walkthrough button) it goes on to that command. Any other
   * argument (a command link can pass anything) just opens the sample.
   */
  async openSample(then?: unknown): Promise<vscode.TextEditor> {
    const document = await vscode.workspace.openTextDocument({ content: SAMPLE_TEXT, language: 'plaintext' });
    const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false });
    editor.selection = new vscode.Selection(0, 0, 0, document.lineAt(0).text.length);
    if (typeof then === 'string' && Object.hasOwn(THEN, then)) await vscode.commands.executeCommand(THEN[then as Then]);
    return editor;
  }
}
