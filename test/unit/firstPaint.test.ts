// The run panel starts after its skeleton's first paint (webview/firstPaint.ts): never before the
// page's `load` (VS Code shows the frame then), then after the next frame, once.
import * as assert from 'node:assert/strict';
import { afterFirstPaint, NO_FRAME_FALLBACK_MS, type Page } from '../../webview/firstPaint';

/** A page whose load, frames and timers run when the test says. */
class FakePage implements Page {
  document: { readyState: DocumentReadyState } = { readyState: 'interactive' };
  private loadListeners: (() => void)[] = [];
  private frames: (() => void)[] = [];
  timers: { callback: () => void; ms: number }[] = [];

  addEventListener(_type: 'load', listener: () => void): void {
    this.loadListeners.push(listener);
  }
  requestAnimationFrame(callback: () => void): void {
    this.frames.push(callback);
  }
  setTimeout(callback: () => void, ms = 0): void {
    this.timers.push({ callback, ms });
  }
  load(): void {
    this.document.readyState = 'complete';
    for (const listener of this.loadListeners.splice(0)) listener();
  }
  frame(): void {
    for (const callback of this.frames.splice(0)) callback();
  }
  /** Runs the timers due after `ms`, in order. */
  runTimers(ms: number): void {
    const due = this.timers.filter((timer) => timer.ms <= ms);
    this.timers = this.timers.filter((timer) => timer.ms > ms);
    for (const timer of due) timer.callback();
  }
}

/** A fake page with the panel's start scheduled on it, and how many times it has started. */
function scheduled(page = new FakePage()): { page: FakePage; starts: () => number } {
  let count = 0;
  afterFirstPaint(() => count++, page);
  return { page, starts: () => count };
}

describe('afterFirstPaint (the run panel starts after its skeleton is painted)', () => {
  it('waits for load, then for a frame, then for the timer set in it', () => {
    const { page, starts } = scheduled();
    page.runTimers(0);
    page.frame();
    assert.equal(starts(), 0, 'nothing before load');
    page.load();
    page.runTimers(0);
    assert.equal(starts(), 0, 'nothing before the frame');
    page.frame();
    assert.equal(starts(), 0, 'nothing inside the frame callback');
    page.runTimers(0);
    assert.equal(starts(), 1);
  });

  it('starts once, even when the fallback timer fires too', () => {
    const { page, starts } = scheduled();
    page.load();
    page.frame();
    page.runTimers(NO_FRAME_FALLBACK_MS);
    page.runTimers(NO_FRAME_FALLBACK_MS);
    assert.equal(starts(), 1);
  });

  it('starts after the fallback when no frame comes', () => {
    const { page, starts } = scheduled();
    page.load();
    page.runTimers(NO_FRAME_FALLBACK_MS - 1);
    assert.equal(starts(), 0);
    page.runTimers(NO_FRAME_FALLBACK_MS);
    assert.equal(starts(), 1);
  });

  it('schedules at once on a page that has already loaded', () => {
    const loaded = new FakePage();
    loaded.load();
    const { page, starts } = scheduled(loaded);
    page.frame();
    page.runTimers(0);
    assert.equal(starts(), 1);
  });
});
