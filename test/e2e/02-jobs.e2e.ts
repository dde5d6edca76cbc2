// The Jobs view: jobs newest first with status icons, "Load more…", the filter submenu in the
// view title, a running job that turns into succeeded by itself, and a job's details.
import * as assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { screenshot, session, type Session } from './harness';
import { ensureKey, rowIcon, waitUntil } from './steps';
import { exactly } from './workbench';

/** Sutro emulator jobs #120 and #118 run until JOB_STEP_MS after seeding; #119 is queued, then runs. */
const JOB_STEP_MS = 12_000;

describe('Jobs view', function () {
  let s: Session;
  let jobs: Locator;
  let seededAt = 0;

  const jobRow = (name: string) => s.workbench.rows(jobs, exactly(name));
  const sutroDescription = async () => (await s.workbench.rows(jobs, exactly('Sutro')).locator('.label-description').innerText()).trim();

  before(async function () {
    this.timeout(240_000);
    s = await session();
    await ensureKey(s, 'sutro');
    const wb = s.workbench;
    await wb.clearNotifications();
    await wb.openContainer();
    // A long history with running jobs: 120 jobs, the newest ones still running.
    s.emulators.sutro.configure({ jobStepMs: JOB_STEP_MS, jobCount: 120 });
    seededAt = Date.now();
    jobs = await wb.expandView('Jobs');
    // Collapse the Functions view so that the Jobs view has the height.
    const functionsHeader = wb.view('Functions').locator('.pane-header');
    if ((await functionsHeader.getAttribute('aria-expanded')) === 'true') await functionsHeader.click();
    await jobs.locator('.pane-header').hover();
    await jobs.locator('.pane-header .action-label[aria-label="Refresh Jobs"]').click();
  });

  it('lists the jobs newest first with their status icons', async function () {
    await waitUntil('the first page of jobs', async () => (await sutroDescription()) === '50+ jobs');
    const first = wb().rows(jobs).nth(1);
    assert.equal(await first.locator('.label-name').innerText(), 'Review sentiment #120');
    assert.ok(Date.now() - seededAt < JOB_STEP_MS, 'the check ran while the newest jobs were still running');
    assert.equal(await rowIcon(jobRow('Review sentiment #120')), 'loading', 'a running job spins');
    assert.match(await jobRow('Review sentiment #120').getAttribute('aria-label') ?? '', /Running/);
    assert.match(await jobRow('Lead extraction #119').getAttribute('aria-label') ?? '', /Queued/);
    assert.equal(await rowIcon(jobRow('Review sentiment #117')), 'error', 'a failed job has the error icon');
    assert.equal(await rowIcon(jobRow('Lead extraction #116')), 'pass', 'a succeeded job has the pass icon');
    // Job names come straight from the platform; one without a name shows its id.
    await jobRow('job-00112').waitFor({ state: 'visible' });
  });

  it('opens the details of a job that is still running in a JSON editor', async function () {
    const wb = s.workbench;
    await wb.clickUntil(jobRow('Lead extraction #119'), wb.tab(/^Lead extraction #119 · (Queued|Running)\.json$/));
    await waitUntil('the job JSON', async () => (await wb.editorText()).includes('"job_id": "job-00119"'));
    await screenshot(s.page, 'jobs-1-running-job-details', 'jobs');
  });

  it('loads more jobs with "Load more…"', async function () {
    const wb = s.workbench;
    for (const expected of ['100+ jobs', '120 jobs']) {
      const loadMore = wb.rows(jobs, exactly('Load more…'));
      // The tree only renders the rows in view: scroll down until "Load more…" shows.
      await wb.scrollTo(jobs, loadMore, 'down');
      await loadMore.click();
      await waitUntil(`"${expected}"`, async () => (await sutroDescription()) === expected);
    }
    assert.equal(await wb.rows(jobs, exactly('Load more…')).count(), 0, 'the last page has no "Load more…"');
    await wb.scrollTo(jobs, wb.rows(jobs, exactly('Lead qualification #1')), 'down');
    const pages = s.emulators.sutro.requestsTo(/list-jobs$/).slice(-3);
    assert.equal(pages[0].query.cursor, undefined, 'the first page has no cursor');
    assert.ok(pages.slice(1).every((r) => typeof r.query.cursor === 'string'), 'the next pages were asked for with the cursor');
  });

  it('filters the jobs from the view title', async function () {
    const wb = s.workbench;
    const choose = async (entry: string) => {
      await jobs.locator('.pane-header').hover();
      await jobs.locator('.pane-header .action-label[aria-label="Filter Jobs"]').click();
      await wb.chooseMenuItem(exactly(entry));
    };
    await choose('Show Failed Jobs');
    try {
      await waitUntil('the failed filter', async () => /failed$/.test(await sutroDescription()));
      await jobs.locator('.pane-header', { hasText: 'Filter: Failed' }).waitFor({ state: 'visible' });
      const rows = jobs.locator('.monaco-list-row[aria-level="2"]');
      const count = await rows.count();
      let shown = 0;
      for (let i = 0; i < count; i++) {
        const row = rows.nth(i);
        // Job rows only (not "Load more…", "Set API key…" or a message).
        if (!/^job:/.test((await row.getAttribute('id')) ?? '') && !/, (Failed|Cancelled|Running|Queued|Succeeded)\b/.test((await row.getAttribute('aria-label')) ?? '')) continue;
        const icon = await rowIcon(row);
        shown++;
        assert.ok(icon === 'error' || icon === 'circle-slash', `row ${i} is failed or cancelled (${icon}: ${await row.getAttribute('aria-label')})`);
      }
      assert.ok(shown > 2, `some failed jobs are listed (${shown})`);
      await screenshot(s.page, 'jobs-2-filter-failed');
    } finally {
      await choose('Show All Jobs');
    }
    await waitUntil('all jobs again', async () => (await sutroDescription()) === '120 jobs');
  });

  it('turns running jobs into succeeded by itself', async function () {
    this.timeout(90_000);
    const wb = s.workbench;
    // Back to the top of the list.
    await wb.scrollTo(jobs, jobRow('Review sentiment #120'), 'up');
    await waitUntil('job #120 succeeded', async () => (await rowIcon(jobRow('Review sentiment #120'))) === 'pass', 60_000, 250);
    assert.match(await jobRow('Review sentiment #120').getAttribute('aria-label') ?? '', /Succeeded/);
    // The job whose details are open is watched: the user hears when it finishes.
    const toast = await wb.notification(/Sutro job "Lead extraction #119" succeeded\./, 60_000);
    assert.equal(await rowIcon(jobRow('Lead extraction #119')), 'pass');
    await toast.locator('.monaco-button', { hasText: exactly('Open') }).click();
    await wb.tab('Lead extraction #119 · Succeeded.json').waitFor({ state: 'visible' });
    await screenshot(s.page, 'jobs-3-succeeded-by-itself');
    await wb.clearNotifications();
  });

  function wb() {
    return s.workbench;
  }
});
