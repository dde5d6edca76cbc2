// Running code after the panel's first paint. VS Code shows a webview's frame at its `load` event,
// which waits for the panel's script: work done by the script itself holds the first paint back.

/** What afterFirstPaint uses of the page: the browser's window in the panel, a fake in tests. */
export interface Page {
  readonly document: { readonly readyState: DocumentReadyState };
  addEventListener(type: 'load', listener: () => void, options: { once: true }): void;
  requestAnimationFrame(callback: () => void): unknown;
  setTimeout(callback: () => void, ms?: number): unknown;
}

/** Should no frame come (a hidden page paints none), `then` runs this long after `load`. */
export const NO_FRAME_FALLBACK_MS = 200;

/** Calls `then` once: after the first frame painted following `load`. */
export function afterFirstPaint(then: () => void, page: Page = window): void {
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    then();
  };
  const schedule = () => {
    // A timer set in a frame callback runs once that frame is painted.
    page.requestAnimationFrame(() => page.setTimeout(once));
    page.setTimeout(once, NO_FRAME_FALLBACK_MS);
  };
  if (page.document.readyState === 'complete') schedule();
  else page.addEventListener('load', schedule, { once: true });
}
