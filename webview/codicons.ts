// The codicons the run panel shows. The build puts only these in dist/runPanel.css, and only their
// glyphs in the font dist/webview.js carries (esbuild.mjs reads this list): the full stylesheet is
// 34 KB of rules for 650 icons, the font 123 KB, and the panel's first paint waits for both files.
// An icon not listed here does not compile (`Codicon`), and a name the codicons package lacks
// fails the build.
export const CODICONS = [
  'beaker',
  'check',
  'close',
  'copy',
  'debug-rerun',
  'debug-stop',
  'error',
  'insert',
  'json',
  'key',
  'loading',
  'output',
  'pass',
  'play',
  'refresh',
  'settings',
  'settings-gear',
  'warning',
  'watch',
] as const;

export type Codicon = (typeof CODICONS)[number];
