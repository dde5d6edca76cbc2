// The codicon font, registered from bytes the build puts in dist/webview.js (esbuild.mjs,
// runPanelBuilds): no font file to fetch before the panel can show, and a FontFace made from
// bytes is no fetch, so the CSP allows no font source beyond the webview's own.

/** The subset font (webview/codicons.ts lists its icons) as base64, defined by the build. */
declare const CODICON_FONT: string;

/** The family name dist/runPanel.css's codicon rules ask for. */
const FAMILY = 'codicon';

export function registerCodiconFont(): void {
  const bytes = Uint8Array.from(atob(CODICON_FONT), (char) => char.charCodeAt(0));
  document.fonts.add(new FontFace(FAMILY, bytes, { display: 'block' }));
}
