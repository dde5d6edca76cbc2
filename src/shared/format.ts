// The short formats the run panel's webview shows, from src/core/format.ts: the webview imports
// only src/shared/, and the extension keeps using core's own.
export { formatCost, formatCount, formatPercent, relativeAge } from '../core/format';
