// Drives VS Code's web workbench the way a person does: the command palette, quick picks and
// input boxes, the activity bar, views and their rows, context menus, notifications, editors.
// Every step waits for what it needs to see (never a fixed sleep, except the ~300 ms a context
// menu ignores clicks for).
import type { Frame, FrameLocator, Locator, Page } from 'playwright-core';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Matches a title exactly, optionally with "…" at the end. */
export function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`);
}

export class Workbench {
  constructor(readonly page: Page) {}

  /** Resolves once the workbench has rendered and the AI Functions container is in the activity bar. */
  async ready(timeoutMs = 90_000): Promise<void> {
    await this.page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.activityItem().waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /**
   * Switches to the Dark Modern theme from the palette when the workbench started in another one
   * (code-server's web workbench can start in Light+ although the user settings name another theme).
   */
  async useTheme(label = 'Dark Modern', themeClass = 'vs-dark'): Promise<void> {
    const workbench = this.page.locator('.monaco-workbench');
    if (((await workbench.getAttribute('class')) ?? '').split(' ').includes(themeClass)) return;
    await this.command('Preferences: Color Theme');
    await this.pick(exactly(label), label);
    await this.page.waitForFunction((cls) => document.querySelector('.monaco-workbench')?.classList.contains(cls), themeClass);
  }

  /** Drags the sidebar's edge so that it is `width` pixels wide (tree rows stay readable in screenshots). */
  async widenSidebar(width: number): Promise<void> {
    const sidebar = await this.page.locator('.part.sidebar').boundingBox();
    if (!sidebar || Math.abs(sidebar.width - width) < 4) return;
    const edge = sidebar.x + sidebar.width;
    const sash = this.page.locator('.monaco-sash.vertical:not(.disabled)').first();
    const box = await sash.boundingBox();
    if (!box || Math.abs(box.x + box.width / 2 - edge) > 8) return;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(box.x + box.width / 2, y);
    await this.page.mouse.down();
    await this.page.mouse.move(sidebar.x + width, y, { steps: 5 });
    await this.page.mouse.up();
  }

  // ---- the quick input (command palette, quick picks, input boxes)

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  get quickInputBox(): Locator {
    return this.quickInput.locator('.quick-input-box input');
  }

  /** Rows of the open quick pick. */
  get quickPickRows(): Locator {
    return this.quickInput.locator('.quick-input-list .monaco-list-row');
  }

  /** Runs a command from the palette (F1), by its full title, e.g. "AI Functions: Set API Key…". */
  async command(title: string): Promise<void> {
    await this.closeQuickInput();
    await this.page.keyboard.press('F1');
    await this.quickInputBox.waitFor({ state: 'visible' });
    await this.quickInputBox.fill(`>${title}`);
    const row = this.quickPickRows.filter({ has: this.page.locator('.label-name', { hasText: exactly(title) }) }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
  }

  /** Waits until the palette lists a command by its full title, then closes the palette. */
  async paletteHas(title: string): Promise<void> {
    await this.closeQuickInput();
    await this.page.keyboard.press('F1');
    await this.quickInputBox.waitFor({ state: 'visible' });
    await this.quickInputBox.fill(`>${title}`);
    await this.quickPickRows.filter({ has: this.page.locator('.label-name', { hasText: exactly(title) }) }).first().waitFor({ state: 'visible' });
    await this.closeQuickInput();
  }

  /** Picks the row whose label matches (types `filter` first when given). */
  async pick(label: string | RegExp, filter?: string): Promise<void> {
    await this.quickInputBox.waitFor({ state: 'visible' });
    if (filter !== undefined) await this.quickInputBox.fill(filter);
    const row = this.quickPickRows.filter({ has: this.page.locator('.label-name', { hasText: label }) }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
  }

  /** Types into the open input box (e.g. a password box) and presses Enter. */
  async enterText(text: string, expect?: { title?: string | RegExp; password?: boolean }): Promise<void> {
    await this.quickInputBox.waitFor({ state: 'visible' });
    if (expect?.title) await this.quickInput.locator('.quick-input-title', { hasText: expect.title }).waitFor({ state: 'visible' });
    if (expect?.password !== undefined) {
      // The widget is reused from the previous step: give it a moment to switch the input's type.
      const want = expect.password ? 'password' : 'text';
      const deadline = Date.now() + 5000;
      let type = await this.quickInputBox.getAttribute('type');
      while (type !== want && Date.now() < deadline) {
        await this.page.waitForTimeout(50);
        type = await this.quickInputBox.getAttribute('type');
      }
      if (type !== want) throw new Error(`expected an input box of type ${want}, got ${type}`);
    }
    await this.quickInputBox.fill(text);
    await this.quickInputBox.press('Enter');
  }

  async closeQuickInput(): Promise<void> {
    if (await this.quickInput.isVisible()) {
      await this.page.keyboard.press('Escape');
      await this.quickInput.waitFor({ state: 'hidden' });
    }
  }

  // ---- notifications

  get toasts(): Locator {
    return this.page.locator('.notifications-toasts .notification-toast');
  }

  /** Waits for a notification whose message matches and returns it. */
  async notification(message: string | RegExp, timeoutMs = 20_000): Promise<Locator> {
    const toast = this.toasts.filter({ has: this.page.locator('.notification-list-item-message', { hasText: message }) }).first();
    await toast.waitFor({ state: 'visible', timeout: timeoutMs });
    return toast;
  }

  /** The messages of the notifications on screen. */
  async notificationMessages(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
  }

  async clearNotifications(): Promise<void> {
    if ((await this.toasts.count()) === 0) return;
    await this.command('Notifications: Clear All Notifications');
    await this.toasts.first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
  }

  // ---- the AI Functions container and its views

  activityItem(): Locator {
    return this.page.locator('.part.activitybar .action-item a[aria-label^="AI Functions"], .part.activitybar .action-item[aria-label^="AI Functions"]').first();
  }

  /** The view pane with this name ("Functions", "Jobs"). */
  view(name: string): Locator {
    return this.page.locator('.part.sidebar .pane').filter({ has: this.page.locator('.pane-header .title', { hasText: exactly(name) }) });
  }

  /** Opens the AI Functions container (without toggling it closed when it is open). */
  async openContainer(): Promise<void> {
    if (await this.view('Functions').isVisible()) return;
    await this.activityItem().click();
    await this.view('Functions').waitFor({ state: 'visible' });
  }

  /** Expands a collapsed view pane. */
  async expandView(name: string): Promise<Locator> {
    const view = this.view(name);
    const header = view.locator('.pane-header');
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    return view;
  }

  /** The tree rows of a view whose label matches. */
  rows(view: Locator, label?: string | RegExp): Locator {
    const rows = view.locator('.monaco-list-row');
    return label === undefined ? rows : rows.filter({ has: this.page.locator('.label-name', { hasText: label }) });
  }

  /**
   * Clicks `target` until `outcome` shows (a tree that refreshes live may re-render a row between
   * mouse down and up, and the click is lost).
   */
  async clickUntil(target: Locator, outcome: Locator, attempts = 4, waitMs = 4000): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await target.click();
      try {
        await outcome.waitFor({ state: 'visible', timeout: waitMs });
        return;
      } catch (error) {
        if (attempt >= attempts) throw error;
      }
    }
  }

  /** Scrolls a view's tree with the mouse wheel until `row` is rendered and visible. */
  async scrollTo(view: Locator, row: Locator, direction: 'down' | 'up', timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await row.isVisible())) {
      if (Date.now() > deadline) throw new Error(`row not found while scrolling ${direction}`);
      const box = await view.locator('.monaco-list').first().boundingBox();
      if (!box) throw new Error('the view has no tree');
      await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await this.page.mouse.wheel(0, direction === 'down' ? 600 : -600);
      await this.page.waitForTimeout(50);
    }
  }

  /** Right-clicks `target` and chooses a context menu entry (waits out the menu's click guard). */
  async contextMenu(target: Locator, entry: string | RegExp): Promise<void> {
    await target.click({ button: 'right' });
    await this.chooseMenuItem(entry);
  }

  /** Chooses an entry of the open context menu. */
  async chooseMenuItem(entry: string | RegExp): Promise<void> {
    const item = this.page.locator('.monaco-menu .action-item .action-label', { hasText: entry }).first();
    await item.waitFor({ state: 'visible' });
    // Menus ignore clicks for ~100 ms after opening.
    await this.page.waitForTimeout(300);
    await item.click();
  }

  // ---- editors

  /** The tab of an editor whose title matches. */
  tab(title: string | RegExp): Locator {
    return this.page.locator('.tabs-container .tab').filter({ has: this.page.locator('.label-name', { hasText: title }) });
  }

  get activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
  }

  /** Closes every editor and editor group. */
  async closeAllEditors(): Promise<void> {
    await this.command('View: Close All Editor Groups');
    await this.page.locator('.tabs-container .tab').first().waitFor({ state: 'detached', timeout: 10_000 });
  }

  /** Opens a workspace file by name with Quick Open. */
  async openFile(name: string): Promise<void> {
    const row = this.quickPickRows.filter({ has: this.page.locator('.label-name', { hasText: exactly(name) }) }).first();
    // A file written just before may not be in Quick Open's file list yet: ask again until it is.
    for (let attempt = 1; ; attempt++) {
      await this.closeQuickInput();
      await this.page.keyboard.press('Control+P');
      await this.quickInputBox.waitFor({ state: 'visible' });
      await this.quickInputBox.fill(name);
      try {
        await row.waitFor({ state: 'visible', timeout: 5_000 });
        break;
      } catch (error) {
        if (attempt >= 6) throw error;
      }
    }
    await row.click();
    await this.tab(exactly(name)).waitFor({ state: 'visible' });
    await this.activeEditor.waitFor({ state: 'visible' });
  }

  /**
   * Where the `n`th visible line (1-based, top to bottom) of the active editor is on screen, and
   * where its text ends. (VS Code reuses line elements: their DOM order is not the line order.)
   */
  async lineGeometry(n: number): Promise<{ x: number; y: number; height: number; textRight: number }> {
    const lines = await this.activeEditor.locator('.view-lines .view-line').evaluateAll((elements) =>
      elements
        .map((line) => {
          const rect = line.getBoundingClientRect();
          const texts = Array.from(line.querySelectorAll('span span')).filter((span) => (span.textContent ?? '').length > 0);
          const last = texts.length > 0 ? texts[texts.length - 1].getBoundingClientRect().right : rect.left;
          return { x: rect.left, y: rect.top, height: rect.height, textRight: last };
        })
        .sort((a, b) => a.y - b.y),
    );
    const line = lines[n - 1];
    if (!line) throw new Error(`line ${n} is not rendered (${lines.length} lines are)`);
    return line;
  }

  /** Gives the active editor the keyboard back without clicking (a click would drop extra cursors). */
  async focusEditorKeepingSelections(): Promise<void> {
    await this.closeQuickInput();
    await this.activeEditor.locator('textarea.inputarea, .native-edit-context').first().focus();
  }

  /** Focuses the active editor's text. */
  async focusEditor(): Promise<void> {
    await this.activeEditor.locator('.view-lines').click();
  }

  /** The editor's text as rendered (visible lines only). */
  async editorText(): Promise<string> {
    // Rendered whitespace is U+00A0.
    return (await this.activeEditor.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
  }

  // ---- webviews

  /** The content frame of the visible webview (VS Code nests it in two iframes). */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  }

  /** The same frame as a Frame (for evaluate()). */
  async webviewFrame(timeoutMs = 20_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const frame of this.page.frames()) {
        if (frame.name() === 'active-frame' || /fake\.html|index\.html.*id=/.test(frame.url())) {
          const isInner = await frame.evaluate(() => !!document.body && document.body.childElementCount > 0).catch(() => false);
          if (isInner && frame.parentFrame()?.parentFrame()) return frame;
        }
      }
      if (Date.now() > deadline) throw new Error('no webview frame');
      await this.page.waitForTimeout(100);
    }
  }
}
