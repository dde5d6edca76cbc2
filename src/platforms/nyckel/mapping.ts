// Nyckel's replies → the normalized model.
import type { FunctionInfo, Prediction, RunResult } from '../../core/model';
import type { FunctionOutput, NyckelFunction, TagsOutput } from './schemas';

const byConfidence = (a: Prediction, b: Prediction): number => b.confidence - a.confidence;

/** The FunctionOutput fields kept as the result's `output`, when Nyckel sends them. */
const EXTRA_FIELDS = ['labelId', 'labelMetadata', 'externalId', 'sampleId', 'decisionThreshold'] as const;

/** A FunctionOutput → a classification: the label, and every label's confidence when asked for. */
export function classificationResult(functionId: string, output: FunctionOutput, durationMs: number): RunResult {
  const label = output.labelName ?? undefined;
  const predictions: Prediction[] = output.labelConfidences
    ? output.labelConfidences.map((c) => ({ label: c.labelName ?? c.labelId ?? '', confidence: c.confidence })).sort(byConfidence)
    : label !== undefined
      ? [{ label, confidence: output.confidence }]
      : [];

  const extra: Record<string, unknown> = {};
  for (const key of EXTRA_FIELDS) if (output[key] != null) extra[key] = output[key];

  return {
    platform: 'nyckel',
    function: functionId,
    kind: 'classification',
    label,
    confidence: output.confidence,
    predictions,
    output: Object.keys(extra).length > 0 ? extra : undefined,
    durationMs,
    raw: output,
  };
}

/** A Tags reply → every tag as a prediction; the most confident one is the label. */
export function tagsResult(functionId: string, tags: TagsOutput, durationMs: number): RunResult {
  const predictions = tags.map((t) => ({ label: t.labelName, confidence: t.confidence })).sort(byConfidence);
  const top = predictions[0];
  return {
    platform: 'nyckel',
    function: functionId,
    kind: 'classification',
    label: top?.label,
    confidence: top?.confidence,
    predictions,
    durationMs,
    raw: tags,
  };
}

export function functionInfo(fn: NyckelFunction): FunctionInfo {
  const input = fn.input ?? undefined;
  const output = fn.output ?? undefined;
  const description = input && output ? `${input} → ${output}` : (input ?? output);
  return {
    platform: 'nyckel',
    id: fn.id,
    name: fn.name || fn.id,
    description,
    inputType: input,
    outputType: output,
  };
}
