// The estimate a large run's confirmation shows: time from the function's recent latency and the
// concurrency, cost from the costs its platform reported. Without measures it says so.
import { formatCost, formatDuration } from '../format';

export interface Measures {
  /** Median duration of one run, in ms. */
  medianMs?: number;
  /** Mean cost of one run in USD. */
  costUsd?: number;
}

export function estimate(rows: number, concurrency: number, measures: Measures): { time: string; cost?: string } {
  const time =
    measures.medianMs === undefined
      ? 'the time left shows once the first rows are done'
      : `about ${formatDuration(Math.ceil(rows / Math.max(1, concurrency)) * measures.medianMs)}`;
  return { time, ...(measures.costUsd === undefined ? {} : { cost: `about ${formatCost(rows * measures.costUsd)}` }) };
}
