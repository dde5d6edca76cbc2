// A platform's descriptor as the run panel gets it: the part the webview needs (its name, words,
// whether it chooses the function, its input placeholder and run options), shortened to the
// protocol's limits. The panel reads this instead of naming platforms.
import type { PlatformDescriptor } from '../../platforms/types';
import { MAX_RUN_OPTIONS, OPTION_KEY_PATTERN, type PanelDescriptor, type PanelOptionSpec } from '../../shared/panelProtocol';
import { cap } from '../../shared/text';

/** What a missing key is called: the one field's label ("API key"), or "credentials" when there are several. */
export function keyNoun(descriptor: PlatformDescriptor): { noun: string; plural: boolean } {
  const [only, ...more] = descriptor.credentialFields;
  if (only && more.length === 0) return { noun: only.label, plural: false };
  return { noun: 'credentials', plural: true };
}

export function toPanelDescriptor(descriptor: PlatformDescriptor): PanelDescriptor {
  const { words, functions } = descriptor;
  const panel: PanelDescriptor = {
    displayName: cap(descriptor.displayName, 50),
    words: { function: cap(words.function, 50), credentials: cap(words.credentials, 50), input: cap(words.input, 50) },
    keyNoun: cap(keyNoun(descriptor).noun, 50),
    functions: { listed: functions.listed },
    inputPlaceholder: cap(descriptor.inputPlaceholder, 200),
    runOptions: descriptor.runOptions
      .filter((spec) => OPTION_KEY_PATTERN.test(spec.key))
      .slice(0, MAX_RUN_OPTIONS)
      .map(toPanelOption),
  };
  if (functions.platformChooses !== undefined) panel.functions.platformChooses = functions.platformChooses;
  if (functions.inputFields !== undefined) panel.functions.inputFields = functions.inputFields;
  return panel;
}

function toPanelOption(spec: PlatformDescriptor['runOptions'][number]): PanelOptionSpec {
  const base = { key: spec.key, label: cap(spec.label, 100), help: cap(spec.help, 500) };
  const placeholder = (max: number) => ('placeholder' in spec && spec.placeholder !== undefined ? { placeholder: cap(spec.placeholder, max) } : {});
  switch (spec.type) {
    case 'integer':
      return { ...base, type: 'integer', min: spec.min, max: spec.max, ...placeholder(200) };
    case 'text':
      return { ...base, type: 'text', ...placeholder(200) };
    case 'boolean':
      return { ...base, type: 'boolean', default: spec.default };
    case 'json':
      return { ...base, type: 'json', shape: spec.shape, ...placeholder(500) };
  }
}
