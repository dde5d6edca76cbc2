// What every webview of the extension (the run panel, the Evaluation view) builds its HTML with:
// a fresh nonce, one strict CSP, and attribute escaping for the URIs put in the page.
import { randomBytes } from 'node:crypto';

/** 24 random bytes as base64: 32 characters that cannot be guessed. */
export function newNonce(): string {
  return randomBytes(24).toString('base64');
}

/** Nothing but our own stylesheets and fonts and the one script carrying `nonce`. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return ["default-src 'none'", `style-src ${cspSource}`, `font-src ${cspSource}`, `script-src 'nonce-${nonce}'`, "base-uri 'none'", "form-action 'none'"].join('; ');
}

/** `value` escaped for a double-quoted HTML attribute. */
export function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
