// The Get Started walkthrough, as the real host reads it: every button names a command the
// extension contributes, every picture is there, the completion events are ones that happen, and
// the id activation opens it with is the one VS Code knows.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SAMPLE_TEXT, WALKTHROUGH_ID, walkthroughRef } from '../../src/vscode/welcome';
import { api, extension } from './helpers';

interface Step {
  id: string;
  title: string;
  description: string;
  media: { svg?: string; image?: string; markdown?: string; altText?: string };
  completionEvents?: string[];
}
interface Walkthrough {
  id: string;
  title: string;
  description: string;
  steps: Step[];
}

/** Commands the walkthrough may name before their feature is merged (another branch adds them). */
const ADDED_ELSEWHERE = new Set(['aiFunctions.evaluateFunction']);

const walkthroughs = (): Walkthrough[] => extension().packageJSON.contributes.walkthroughs ?? [];
const contributedCommands = (): Set<string> => new Set((extension().packageJSON.contributes.commands as { command: string }[]).map((c) => c.command));
const linkedCommands = (step: Step): string[] => [...step.description.matchAll(/\]\(command:([\w.]+)(\?[^)]*)?\)/g)].map((m) => m[1]!);

describe('Get Started walkthrough', () => {
  before(async () => {
    await api();
  });

  it('is contributed once, with the id activation opens', () => {
    const all = walkthroughs();
    assert.equal(all.length, 1);
    assert.equal(all[0]!.id, WALKTHROUGH_ID);
    assert.ok(all[0]!.title && all[0]!.description);
    assert.deepEqual(
      all[0]!.steps.map((s) => s.id),
      ['setApiKey', 'classifySelection', 'runPanel', 'runOnEachLine', 'evaluate'],
    );
  });

  it('gives every step a button that runs a contributed, registered command', async () => {
    const contributed = contributedCommands();
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const step of walkthroughs()[0]!.steps) {
      const commands = linkedCommands(step);
      assert.ok(commands.length > 0, `step ${step.id} has a button`);
      for (const command of commands) {
        if (ADDED_ELSEWHERE.has(command) && !contributed.has(command)) continue;
        assert.ok(contributed.has(command), `step ${step.id}: ${command} is contributed`);
        assert.ok(registered.has(command), `step ${step.id}: ${command} is registered`);
      }
      // Arguments in a button are JSON (an array), as command links take them.
      for (const m of step.description.matchAll(/\(command:[\w.]+\?([^)]*)\)/g)) {
        assert.ok(Array.isArray(JSON.parse(decodeURIComponent(m[1]!))), `step ${step.id}: its arguments are a JSON array`);
      }
    }
  });

  it('gives every step a picture that is in the extension, themed SVG with alt text', () => {
    const root = extension().extensionPath;
    for (const step of walkthroughs()[0]!.steps) {
      assert.ok(step.media.svg, `step ${step.id} has an svg`);
      assert.ok(step.media.altText && step.media.altText.length > 10, `step ${step.id} has alt text`);
      const file = path.join(root, step.media.svg);
      assert.ok(fs.existsSync(file), `${step.media.svg} exists`);
      const svg = fs.readFileSync(file, 'utf8');
      assert.match(svg, /^<svg [^>]*viewBox=/);
      assert.match(svg, /var\(--vscode-/, `${step.media.svg} follows the theme`);
      assert.doesNotMatch(svg, /<script|href=|on\w+=/i, `${step.media.svg} is a plain picture`);
    }
  });

  it('marks steps done on events that happen: its commands, or a key being set', () => {
    const contributed = contributedCommands();
    for (const step of walkthroughs()[0]!.steps) {
      assert.ok((step.completionEvents ?? []).length > 0, `step ${step.id} has completion events`);
      for (const event of step.completionEvents!) {
        const [kind, what] = [event.slice(0, event.indexOf(':')), event.slice(event.indexOf(':') + 1)];
        if (kind === 'onCommand') assert.ok(contributed.has(what) || ADDED_ELSEWHERE.has(what), `${event} names a contributed command`);
        else if (kind === 'onContext') assert.match(what, /^aiFunctions\.(sutro|nyckel|inferable)\.hasKey$/, `${event} is a context key the extension sets`);
        else assert.fail(`unexpected completion event ${event}`);
      }
    }
  });

  it('opens with the id activation uses, and activation in the tests’ host did not open it', async () => {
    const ref = walkthroughRef(extension().id);
    assert.equal(ref, `aifn.ai-functions#${WALKTHROUGH_ID}`);
    // VS Code titles an extension's walkthrough "Walkthrough: <display name>".
    const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
    assert.equal(tabs().find((t) => t.label.startsWith('Walkthrough:')), undefined, 'activation did not open a walkthrough in test mode');
    // The command accepts the reference. Which page it shows is not checked here: in this host
    // (the extension loaded for development) it showed the Welcome page, while the installed
    // .vsix opens "Walkthrough: AI Functions" on first activation (test/e2e/95-vsix screenshot).
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', ref, false);
    for (const tab of tabs().filter((t) => t.input === undefined)) await vscode.window.tabGroups.close(tab);
  });

  it('opens the sample leads beside it with the first line selected', async () => {
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('aiFunctions.openSample', 'not a command');
    assert.equal(editor.document.getText(), SAMPLE_TEXT);
    assert.equal(editor.document.getText(editor.selection), SAMPLE_TEXT.split('\n')[0]);
    assert.equal(editor.document.isUntitled, true);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
