// Deterministic helpers the platforms build their answers with: the same input always gets the
// same label, confidence and ids, so tests can assert exact replies.

/** FNV-1a 32-bit hash. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A deterministic number in [0, 1) from a string. */
export function unitHash(text: string): number {
  return hash32(text) / 0x100000000;
}

/** Mulberry32: a small seeded PRNG returning numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
}

export interface KeywordLabel {
  name: string;
  keywords: string[];
}

export interface Classification {
  label: string;
  confidence: number;
  /** Every label, sorted by confidence (descending); confidences sum to 1. */
  predictions: { label: string; confidence: number }[];
  /** The keywords of the winning label found in the text. */
  matched: string[];
}

/**
 * Deterministic keyword classifier: the label with the most keyword hits wins (ties: the first
 * listed); no hits → `fallback`. A keyword right after "no" or "not" is no hit ("no budget").
 * Confidence depends on the hits and a hash of the text.
 */
const keywordSets = new WeakMap<KeywordLabel, Set<string>>();

export function classify(text: string, labels: KeywordLabel[], fallback: string): Classification {
  const tokens = words(text);
  let best: KeywordLabel | undefined;
  let bestHits: string[] = [];
  for (const label of labels) {
    let set = keywordSets.get(label);
    if (!set) keywordSets.set(label, (set = new Set(label.keywords.map((k) => k.toLowerCase()))));
    const hits = tokens.filter((t, i) => set.has(t) && tokens[i - 1] !== 'no' && tokens[i - 1] !== 'not');
    if (hits.length > bestHits.length) {
      best = label;
      bestHits = hits;
    }
  }
  const h = unitHash(text);
  const label = best ? best.name : fallback;
  const confidence = best
    ? round2(Math.min(0.98, 0.84 + 0.04 * (bestHits.length - 1) + 0.08 * h))
    : round2(0.6 + 0.3 * h);
  const others = labels.map((l) => l.name).filter((n) => n !== label);
  const predictions = [{ label, confidence }];
  let rest = round2(1 - confidence);
  const n = others.length;
  const weightSum = (n * (n + 1)) / 2;
  others.forEach((name, i) => {
    const c = i === n - 1 ? rest : round2(((1 - confidence) * (n - i)) / weightSum);
    rest = round2(rest - c);
    predictions.push({ label: name, confidence: Math.max(0, c) });
  });
  predictions.sort((a, b) => b.confidence - a.confidence);
  return { label, confidence, predictions, matched: [...new Set(bestHits)] };
}
