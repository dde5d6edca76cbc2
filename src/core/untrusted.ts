// The one boundary for text that comes from a platform or a file: names, ids, labels, statuses,
// error details, failure reasons, rationale. VS Code renders `[label](command:…)` in notifications
// and progress titles as a link that runs a command, `$(icon)` as an icon in status bars and quick
// picks, and Markdown in hovers and tooltips. Such text must reach none of them as syntax.
//
// The syntax is broken with an invisible WORD JOINER rather than removed or backslash-escaped, so
// the text still reads as the platform wrote it.

const JOINER = '\u2060';

/** Control characters and bidirectional overrides (which can make text read other than it is). */
const UNPRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** Where a link, an icon or a tag could start. */
const SYNTAX: [RegExp, string][] = [
  // `[label](target)`, `[label][ref]`: nothing may follow a closing bracket directly.
  [/\]/g, `]${JOINER}`],
  // `$(icon)`.
  [/\$\(/g, `$${JOINER}(`],
  // `<a href=…>`, `<https://…>`.
  [/<(?=[A-Za-z/!?])/g, `<${JOINER}`],
  // `command:id`, `https://host`, `vscode://…`, `file:///…`: a scheme directly followed by its target.
  [/\b([A-Za-z][A-Za-z0-9+.-]{0,31}):(?=[^\s:])/g, `$1:${JOINER}`],
];

export const DEFAULT_MAX_CHARS = 500;

/**
 * Platform or file text made safe to show as plain text: on one line, without control or bidi
 * characters, with link, icon and tag syntax inert, and at most `maxChars` long.
 */
export function inert(text: string, maxChars = DEFAULT_MAX_CHARS): string {
  let t = String(text).replace(UNPRINTABLE, '').replace(/\s+/g, ' ').trim();
  if (t.length > maxChars) t = `${t.slice(0, Math.max(0, maxChars - 1)).replace(/[\ud800-\udbff]$/, '')}…`;
  for (const [pattern, replacement] of SYNTAX) t = t.replace(pattern, replacement);
  return t;
}

/** The same text for a MarkdownString: inert, then every Markdown character escaped. */
export function inertMarkdown(text: string, maxChars = DEFAULT_MAX_CHARS): string {
  return inert(text, maxChars).replace(/[\\`*_{}[\]()#+\-.!|<>&~$:]/g, (c) => `\\${c}`);
}

/**
 * VS Code's own test for a link in a notification (`parseLinkedText`), and a bare command URI.
 * The tests use it to prove that nothing shown is clickable.
 */
export function containsLink(text: string): boolean {
  return /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/i.test(text) || /\bcommand:[^\s\u2060]/i.test(text) || /\bhttps?:\/\//i.test(text);
}
