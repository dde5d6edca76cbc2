// Steps several browser tests share: setting a key through the palette, selecting a line and
// right-clicking it, choosing a function in the run panel, reading decorations, waiting for a
// condition.
import type { Frame } from 'playwright-core';
import { KEYS, type Session } from './harness';
import type { Workbench } from './workbench';

export type Platform = 'sutro' | 'nyckel' | 'inferable';

const PLATFORM_NAMES: Record<Platform, string> = { sutro: 'Sutro', nyckel: 'Nyckel', inferable: 'Inferable' };

/** Polls `probe` until it returns something truthy. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * "AI Functions: Set API Key…" from the palette: pick the platform, type each credential into its
 * input box (secrets into password boxes), and wait for the confirmation.
 */
export async function setKeyFromPalette(s: Session, platform: Platform): Promise<void> {
  const wb = s.workbench;
  const name = PLATFORM_NAMES[platform];
  await wb.command('AI Functions: Set API Key…');
  await wb.pick(new RegExp(`^\\s*${name}\\s*$`));
  const keys = KEYS[platform] as Record<string, string>;
  const fields: [string, RegExp, boolean][] =
    'apiKey' in keys ? [[keys.apiKey, /API key/i, true]] : [[keys.clientId, /client ID/i, false], [keys.clientSecret, /client secret/i, true]];
  for (const [value, title, password] of fields) {
    await wb.enterText(value, { title: new RegExp(`${name} .*${title.source}`, 'i'), password });
  }
  const toast = await wb.notification(`${name} credentials saved in VS Code's secret storage.`);
  await toast.waitFor({ state: 'visible' });
  s.keys.add(platform);
  await wb.clearNotifications();
}

/** Sets the key through the palette unless this session already did. */
export async function ensureKey(s: Session, platform: Platform): Promise<void> {
  if (!s.keys.has(platform)) await setKeyFromPalette(s, platform);
}

/** Selects the whole of line `line` (1-based) in the active editor with the keyboard. */
export async function selectLine(wb: Workbench, line: number): Promise<void> {
  await wb.focusEditor();
  await wb.page.keyboard.press('Control+Home');
  for (let i = 1; i < line; i++) await wb.page.keyboard.press('ArrowDown');
  await wb.page.keyboard.press('Home');
  await wb.page.keyboard.press('Shift+End');
}

/** Right-clicks the text of line `line` (1-based, among the visible lines) and picks a menu entry. */
export async function rightClickLine(wb: Workbench, line: number, entry: string | RegExp): Promise<void> {
  const box = await wb.lineGeometry(line);
  // Inside the selection (a few characters in), so the right-click keeps it.
  await wb.page.mouse.click(box.x + 30, box.y + box.height / 2, { button: 'right' });
  await wb.chooseMenuItem(entry);
}

/** In the run panel's webview: picks the platform, waits until its functions are listed, picks `fn`. */
export async function chooseFunctionInPanel(frame: Frame, platform: Platform, fn: string): Promise<void> {
  await frame.locator('#platform-picker').selectOption(platform);
  const picker = frame.locator('#function-picker');
  await waitUntil(`the ${PLATFORM_NAMES[platform]} functions in the picker`, async () => (await picker.locator(`option[value="${fn}"]`).count()) > 0);
  await picker.selectOption(fn);
}

/** The text decorations render after the text (`::after` content), in document order. */
export async function afterDecorations(wb: Workbench): Promise<string[]> {
  return wb.activeEditor.locator('.view-lines span').evaluateAll((spans) =>
    spans
      .map((span) => getComputedStyle(span, '::after').content)
      .filter((content) => content && content !== 'none' && content !== 'normal')
      .map((content) => content.replace(/^"|"$/g, '')),
  );
}

/** The icon class of a tree row (`pass`, `error`, `loading`, …). */
export async function rowIcon(row: import('playwright-core').Locator): Promise<string | undefined> {
  const cls = (await row.locator('.custom-view-tree-node-item-icon').getAttribute('class')) ?? '';
  return cls.match(/codicon-(?!modifier)([\w-]+)/)?.[1];
}

/** A user-facing message must read as a sentence, not as a stack trace or an internal error. */
export function assertNoStackTrace(message: string): void {
  const bad = [/\n\s*at\s/, /\bat .+:\d+:\d+\)?/, /^\w*Error:/, /\bTypeError\b|\bReferenceError\b/, /\[object Object\]/, /\bundefined\b/];
  for (const pattern of bad) {
    if (pattern.test(message)) throw new Error(`message looks like an internal error (${pattern}): ${message}`);
  }
}
