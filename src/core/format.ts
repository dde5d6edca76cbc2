// Short, human formats for tree descriptions and tooltips.

const UNITS: [limitSeconds: number, divisor: number, unit: string][] = [
  [60, 1, 's'],
  [3600, 60, 'm'],
  [86400, 3600, 'h'],
  [86400 * 30, 86400, 'd'],
  [86400 * 365, 86400 * 30, 'mo'],
  [Infinity, 86400 * 365, 'y'],
];

/** "just now", "5m ago", "3h ago", "2d ago". */
export function relativeAge(iso: string | undefined, now: number): string | undefined {
  if (!iso) return undefined;
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return undefined;
  const seconds = Math.max(0, Math.round((now - time) / 1000));
  if (seconds < 10) return 'just now';
  const [, divisor, unit] = UNITS.find(([limit]) => seconds < limit) ?? UNITS[UNITS.length - 1];
  return `${Math.floor(seconds / divisor)}${unit} ago`;
}

/** "12s", "3m 5s", "1h 2m". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** "$0.0042", "$1.23". */
export function formatCost(usd: number): string {
  // Two significant digits below a cent, never in exponent notation (toPrecision gives "3.0e-7").
  if (usd < 0.01 && usd > 0) return `$${usd.toLocaleString('en-US', { minimumSignificantDigits: 2, maximumSignificantDigits: 2 })}`;
  return `$${usd.toFixed(2)}`;
}

/** "91%". */
export function formatPercent(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
