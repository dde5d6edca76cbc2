// Zod schemas for Sutro's replies, as documented (docs.sutro.sh and the Python SDK). Extra fields
// are tolerated; fields the docs mark as nullable or optional are both, so a server that sends
// `null` where another omits the field parses the same way.
import * as z from 'zod/mini';

const optionalText = z.optional(z.nullable(z.string()));
const optionalNumber = z.optional(z.nullable(z.number()));

export const usageSchema = z.optional(
  z.nullable(
    z.object({
      input_tokens: optionalNumber,
      output_tokens: optionalNumber,
      /** Deployments only. */
      cost_usd: optionalNumber,
    }),
  ),
);

/** Legacy host, a Function with one primary output field. */
export const classificationReplySchema = z.object({
  response: z.string(),
  confidence: z.number(),
  predictions: z.array(z.object({ label: z.string(), confidence: z.number() })),
  rationale: optionalText,
  usage: usageSchema,
});

/** Legacy host, a Function that extracts several fields. */
export const extractionReplySchema = z.object({
  output: z.record(z.string(), z.unknown()),
  rationale: z.string(),
  confidence: z.number(),
  usage: usageSchema,
});

/** A deployment's `POST functions/{name}/run`: `output` follows the Function's output schema. */
export const deploymentReplySchema = z.object({
  request_id: optionalText,
  function: z.optional(z.nullable(z.object({ name: optionalText, model: optionalText, model_source: optionalText }))),
  output: z.union([z.string(), z.number(), z.boolean(), z.array(z.unknown()), z.record(z.string(), z.unknown())]),
  confidence: optionalNumber,
  rationale: optionalText,
  usage: usageSchema,
});

const failureReasonSchema = z.optional(z.nullable(z.union([z.string(), z.looseObject({ message: optionalText })])));

/** The Job object of `list-jobs` and `jobs/{id}`. Loose: the whole object is kept as `raw`. */
export const jobSchema = z.looseObject({
  job_id: z.string(),
  status: optionalText,
  name: optionalText,
  model: optionalText,
  datetime_created: optionalText,
  datetime_started: optionalText,
  datetime_completed: optionalText,
  input_tokens: optionalNumber,
  output_tokens: optionalNumber,
  job_cost: optionalNumber,
  cost_estimate: optionalNumber,
  num_rows: optionalNumber,
  failure_reason: failureReasonSchema,
});
export type SutroJob = z.infer<typeof jobSchema>;

/** `list-jobs`: `{jobs, next_cursor}` with a limit, `{message, jobs}` without. */
export const jobListSchema = z.object({
  jobs: z.array(jobSchema),
  next_cursor: optionalText,
  message: optionalText,
});

export const fetchJobSchema = z.object({ job: jobSchema });

/** `job-status/{id}`: `{job_status: {"<id>": "RUNNING"}, metadata: null | {failure_reason}}`. */
export const jobStatusSchema = z.object({
  job_status: z.union([z.string(), z.record(z.string(), z.nullable(z.string()))]),
  metadata: z.optional(z.nullable(z.object({ failure_reason: failureReasonSchema }))),
  message: optionalText,
});

/** `job-cancel/{id}`: docs `{cancelled, message}`; the SDK's tests `{status: "CANCELLED"}`; maybe empty. */
export const cancelReplySchema = z.optional(
  z.nullable(
    z.object({
      cancelled: z.optional(z.nullable(z.boolean())),
      message: optionalText,
      status: optionalText,
    }),
  ),
);

/** `job-results`: `{results: {outputs, inputs?}}`; outputs may be JSON strings. */
export const jobResultsSchema = z.object({
  results: z.object({
    outputs: z.array(z.unknown()),
    inputs: z.optional(z.nullable(z.array(z.unknown()))),
  }),
});

/**
 * `jobs/{id}/results-url` (SDK 0.1.64 `results_download_url`): presigned URLs of one Parquet
 * artifact; `get` supports Range requests.
 */
export const resultsUrlSchema = z.object({
  job_id: optionalText,
  format: optionalText,
  artifact: z.optional(
    z.nullable(z.looseObject({ filename: optionalText, size_bytes: optionalNumber, bucket: optionalText, key: optionalText })),
  ),
  urls: z.object({ get: z.string(), head: optionalText }),
});

/** `batch-inference`: `{results: "<job_id>"}`. */
export const batchReplySchema = z.object({ results: z.string() });

