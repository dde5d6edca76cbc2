// Compare with…: what to run the same rows through the second time. Another function (the
// function picker), or the same function with one run option changed (e.g. a different trained
// model), offered from the platform descriptor's run options, so no platform is named here.
import * as vscode from 'vscode';
import type { EvaluatedFunction } from '../../core/evaluationReport';
import type { PlatformId, RunOptions } from '../../core/model';
import type { PlatformDescriptor, RunOptionSpec } from '../../platforms/types';
import type { FunctionPicker } from '../functions';

export interface CompareChoiceDeps {
  picker: FunctionPicker;
  descriptor(platform: PlatformId): PlatformDescriptor;
}

/** Options a single text box (or yes/no) can set; JSON options are for the run panel. */
type SimpleSpec = Extract<RunOptionSpec, { type: 'text' | 'integer' | 'boolean' }>;
const isSimple = (spec: RunOptionSpec): spec is SimpleSpec => spec.type !== 'json';

interface ChoiceItem extends vscode.QuickPickItem {
  spec?: SimpleSpec;
}

export async function pickComparison(current: EvaluatedFunction | undefined, deps: CompareChoiceDeps): Promise<EvaluatedFunction | undefined> {
  const items: ChoiceItem[] = [{ label: '$(symbol-function) Another function…', detail: 'Run the same rows through a second function.' }];
  if (current) {
    const descriptor = deps.descriptor(current.platform);
    for (const spec of descriptor.runOptions.filter(isSimple)) {
      items.push({ label: `$(settings) ${current.name} with another ${spec.label}…`, detail: spec.help, spec });
    }
  }
  const choice = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Compare with…', placeHolder: 'What to run the same rows through', ignoreFocusOut: true });
  if (!choice) return undefined;
  if (!choice.spec || !current) {
    const fn = await deps.picker.pick('Compare with…');
    return fn && { platform: fn.platform, id: fn.id, name: fn.name };
  }
  const value = await optionValue(choice.spec, current.options?.[choice.spec.key]);
  if (value === undefined) return undefined;
  const options: RunOptions = { ...current.options, [choice.spec.key]: value };
  return { ...current, options };
}

async function optionValue(spec: SimpleSpec, now: unknown): Promise<string | number | boolean | undefined> {
  if (spec.type === 'boolean') {
    const current = typeof now === 'boolean' ? now : spec.default;
    const picked = await vscode.window.showQuickPick(['On', 'Off'], { title: `${spec.label} (now ${current ? 'on' : 'off'})`, ignoreFocusOut: true });
    return picked === undefined ? undefined : picked === 'On';
  }
  const text = await vscode.window.showInputBox({
    title: spec.label,
    prompt: spec.help,
    placeHolder: spec.placeholder,
    value: typeof now === 'string' || typeof now === 'number' ? String(now) : '',
    ignoreFocusOut: true,
    validateInput: (value) => problem(spec, value),
  });
  if (text === undefined) return undefined;
  return spec.type === 'integer' ? Number(text.trim()) : text.trim();
}

function problem(spec: SimpleSpec, value: string): string | undefined {
  const v = value.trim();
  if (v === '') return `Enter a ${spec.label.toLowerCase()}.`;
  if (spec.type === 'integer') {
    const n = Number(v);
    if (!Number.isInteger(n) || n < spec.min || n > spec.max) return `A whole number from ${spec.min} to ${spec.max}.`;
  }
  return undefined;
}
