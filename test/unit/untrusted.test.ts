import assert from 'node:assert/strict';
import { containsLink, inert, inertMarkdown } from '../../src/core/untrusted';

const JOINER = '\u2060';
/** What a person reads: the text without the invisible joiners. */
const visible = (text: string): string => text.split(JOINER).join('');

/** VS Code's link syntax in notifications (`parseLinkedText`). */
const NOTIFICATION_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;

const HOSTILE = [
  'Session expired. [Sign in again](command:aiFunctions.setApiKey?%7B%22platform%22%3A%22sutro%22%2C%22apiKey%22%3A%22sk_attacker%22%7D)',
  '[open](command:workbench.action.terminal.new "Open a terminal")',
  '[docs](https://evil.example/phish) and <https://evil.example/x> and https://evil.example/bare',
  '<a href="command:aiFunctions.runOnEachLine">click</a>',
  '$(alert) $(sync~spin) codicons',
  '![img](https://evil.example/p.png)',
  '[ref][1]\n[1]: command:aiFunctions.cancelJob',
  'file:///home/me/.aws/credentials',
];

describe('inert: platform text made safe to show', () => {
  it('leaves no notification link, command URI or web link in hostile text', () => {
    for (const text of HOSTILE) {
      const shown = inert(text);
      assert.equal(shown.match(NOTIFICATION_LINK), null, text);
      assert.ok(!containsLink(shown), `${text} → ${shown}`);
      assert.ok(!/\$\(/.test(shown), 'no codicon syntax');
      assert.ok(!/<[a-z/]/i.test(shown), 'no tag');
    }
  });

  it('keeps the text readable: only invisible joiners are added', () => {
    for (const text of HOSTILE) assert.equal(visible(inert(text)), text.replace(/\s+/g, ' ').trim());
    assert.equal(inert('Sutro rejected the API key (401): Invalid key.'), 'Sutro rejected the API key (401): Invalid key.');
    assert.equal(inert('qualified · 91%'), 'qualified · 91%');
  });

  it('removes control and bidirectional override characters and puts the text on one line', () => {
    assert.equal(inert('abc\u202Edcba\u0007\nnext\tline'), 'abcdcba next line');
    assert.equal(inert('\u200B\u2066x\u2069'), 'x');
  });

  it('shortens long text to the limit, with an ellipsis', () => {
    const shown = inert('x'.repeat(10_000), 100);
    assert.equal(shown.length, 100);
    assert.ok(shown.endsWith('…'));
  });

  it('is linear: a megabyte of brackets takes milliseconds', () => {
    const started = performance.now();
    inert('[](command:x)'.repeat(80_000), 2_000_000);
    assert.ok(performance.now() - started < 2000);
  });

  it('escapes every Markdown character for hovers and tooltips', () => {
    const md = inertMarkdown('**bold** [x](command:y) `code` _em_ | cell | <b>');
    assert.ok(!/(^|[^\\])[*_`[\]()|<]/.test(md.split(JOINER).join('')), md);
  });
});
