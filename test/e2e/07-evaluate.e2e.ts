// Evaluate Function… on a 24-row CSV of reviews with expected labels: pick the label column and
// the function, read the accuracy in the Evaluation view, choose a confusion matrix cell to see
// only its disagreements, and open one at its line. The view's screenshot is the README's.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { screenshot, session, type Session } from './harness';
import { ensureKey, waitUntil } from './steps';
import { exactly } from './workbench';

/**
 * Review templates, their expected label, and what the emulator's keyword rules answer: love/
 * great/fast/good → positive, broken/terrible/refund → negative, none → neutral. Patterns 5–7
 * are labelled otherwise, so 15 of the 24 rows are right.
 */
const PATTERNS: [text: string, expected: string][] = [
  ['I love the new dashboard ({n})', 'positive'],
  ['Great support, fast reply ({n})', 'positive'],
  ['The export is broken again ({n})', 'negative'],
  ['Terrible onboarding, I want a refund ({n})', 'negative'],
  ['Delivered on a Tuesday ({n})', 'neutral'],
  ['It works, I guess ({n})', 'positive'],
  ['Not what I ordered ({n})', 'negative'],
  ['Good enough for a trial ({n})', 'neutral'],
];
const ROWS = 24;

function reviewsCsv(): string {
  const field = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = ['review,label'];
  for (let i = 0; i < ROWS; i++) {
    const [text, label] = PATTERNS[i % PATTERNS.length]!;
    lines.push(`${field(text.replace('{n}', String(i + 1)))},${label}`);
  }
  return lines.join('\n') + '\n';
}

/** The Evaluation view's content frame (the run panel may be open too). */
async function evaluationFrame(page: Page): Promise<Frame> {
  return waitUntil(
    'the Evaluation view',
    async () => {
      for (const frame of page.frames()) {
        if ((await frame.locator('#eval-app').count().catch(() => 0)) > 0) return frame;
      }
      return undefined;
    },
    60_000,
  );
}

describe('Evaluate Function', function () {
  let s: Session;

  before(async function () {
    this.timeout(240_000);
    s = await session();
    fs.writeFileSync(path.join(s.workspace, 'reviews.csv'), reviewsCsv());
    await ensureKey(s, 'nyckel');
    await s.workbench.clearNotifications();
    s.emulators.nyckel.faults.clear();
    await s.workbench.closeAllEditors();
  });

  after(async function () {
    this.timeout(30_000);
    // Later tests look for "the" webview frame: leave no Evaluation view open.
    await s?.workbench.closeAllEditors();
  });

  it('shows accuracy, the matrix filters the disagreements, and a row opens at its line', async function () {
    this.timeout(150_000);
    const wb = s.workbench;
    await wb.openFile('reviews.csv');
    await wb.command('AI Functions: Evaluate Function…');
    // The expected label column (offered first), where the answers come from, the function.
    await wb.pick(exactly('label'));
    await wb.pick(/Run a function on these rows/);
    await wb.pick(/Review sentiment/, 'Review sentiment');

    const frame = await evaluationFrame(s.page);
    const accuracy = frame.locator('#accuracy');
    await waitUntil('the accuracy', async () => ((await accuracy.textContent()) ?? '').trim() || undefined, 60_000);
    assert.equal(await accuracy.textContent(), '62.5% (15 of 24 correct)');
    assert.equal(await frame.locator('#eval-title').textContent(), 'Review sentiment on reviews.csv');
    assert.equal(await frame.locator('#disagreements-table tbody tr').count(), 9);
    // Every chart has its table (the matrix is one; the reliability diagram has one beside it).
    assert.equal(await frame.locator('#matrix-table caption').count(), 1);
    assert.equal(await frame.locator('#reliability-table caption').count(), 1);
    assert.equal(await frame.locator('svg.reliability-chart').count(), 1);

    // Expected negative, predicted neutral: the three "Not what I ordered" rows (lines 8, 16, 24).
    const cell = frame.getByRole('button', { name: 'Expected negative, predicted neutral: 3 rows' });
    await cell.click();
    await waitUntil('the filtered disagreements', async () => (await frame.locator('#disagreements-table tbody tr').count()) === 3);
    const lines = await frame.locator('#disagreements-table tbody tr td:first-child').allTextContents();
    assert.deepEqual(lines, ['8', '16', '24']);
    assert.equal(await frame.locator('#disagreements-filter').textContent(), 'Expected negative, predicted neutral');
    assert.equal(await cell.getAttribute('aria-pressed'), 'true');

    await wb.command('View: Toggle Primary Side Bar Visibility');
    await s.page.locator('.part.sidebar').waitFor({ state: 'hidden' });
    await screenshot(s.page, 'evaluate-1-report', 'evaluation');
    await wb.command('View: Toggle Primary Side Bar Visibility');
    await s.page.locator('.part.sidebar').waitFor({ state: 'visible' });

    // Clicking the cell again shows every disagreement.
    await cell.click();
    await waitUntil('all disagreements again', async () => (await frame.locator('#disagreements-table tbody tr').count()) === 9);

    // A row opens the evaluated file at its line.
    await frame.getByRole('button', { name: 'Open line 16' }).click();
    await waitUntil('the file at line 16', async () => {
      const status = await s.page.locator('.statusbar-item[id="status.editor.selection"]').textContent().catch(() => null);
      return status !== null && /Ln 16,/.test(status);
    });
  });
});
