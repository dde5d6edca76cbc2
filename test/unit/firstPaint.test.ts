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

describe('afterFirstPaint (the run panel starts after its skeleton is painted)', () => {
  it('waits for load, then for a frame, then for the timer set in it', () => {
    const page = new FakePage();
    let started = 0;
    afterFirstPaint(() => started++, page);
    page.runTimers(0);
    page.frame();
    assert.equal(started, 0, 'nothing before load');
    page.load();
    page.runTimers(0);
    assert.equal(started, 0, 'nothing before the frame');
    page.frame();
    assert.equal(started, 0, 'nothing inside the frame callback');
    page.runTimers(0);
    assert.equal(started, 1);
  });

  it('starts once, even when the fallback timer fires too', () => {
    const page = new FakePage();
    let started = 0;
    afterFirstPaint(() => started++, page);
    page.load();
    page.frame();
    page.runTimers(NO_FRAME_FALLBACK_MS);
    page.runTimers(NO_FRAME_FALLBACK_MS);
    assert.equal(started, 1);
  });

  it('starts without a frame after the fallback, and at once when the page has already loaded', () => {
    const noFrames = new FakePage();
    let started = 0;
    afterFirstPaint(() => started++, noFrames);
    noFrames.load();
    noFrames.runTimers(NO_FRAME_FALLBACK_MS - 1);
    assert.equal(started, 0);
    noFrames.runTimers(NO_FRAME_FALLBACK_MS);
    assert.equal(started, 1, 'started by the fallback');

    const loaded = new FakePage();
    loaded.load();
    afterFirstPaint(() => started++, loaded);
    loaded.frame();
    loaded.runTimers(0);
    assert.equal(started, 2, 'a page already loaded schedules at once');
  });
});
