// Number formatting, as the exports write it (src/core/evaluationReport.ts): undefined is "—".
export const percent = (value: number | undefined): string => (value === undefined ? '—' : `${(value * 100).toFixed(1)}%`);
export const score = (value: number | undefined): string => (value === undefined ? '—' : value.toFixed(3));
