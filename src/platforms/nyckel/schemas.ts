// Nyckel's replies as documented (nyckel.com/docs/api, the Python SDK), checked at the boundary.
// Objects are loose: fields Nyckel adds later are kept, not refused.
import * as z from 'zod/mini';

const optionalString = z.optional(z.nullable(z.string()));

/** `POST /connect/token` (OAuth2 client credentials). */
export const TokenReply = z.looseObject({
  access_token: z.string().check(z.minLength(1)),
  token_type: z.optional(z.string()),
  // Seconds. Some OAuth servers send it as a string; the docs show a number.
  expires_in: z.optional(z.union([z.number(), z.string()])),
});
export type TokenReply = z.infer<typeof TokenReply>;

/** One entry of `labelConfidences` (no schema page exists; named like FunctionOutput's fields). */
export const LabelConfidence = z.looseObject({
  labelName: optionalString,
  labelId: optionalString,
  confidence: z.number(),
});
export type LabelConfidence = z.infer<typeof LabelConfidence>;

/** `POST /v1/functions/{id}/invoke` → FunctionOutput. */
export const FunctionOutput = z.looseObject({
  labelName: optionalString,
  labelId: optionalString,
  labelMetadata: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  confidence: z.number(),
  decisionThreshold: z.optional(z.nullable(z.number())),
  labelConfidences: z.optional(z.nullable(z.array(LabelConfidence))),
  externalId: optionalString,
  // Shown in the guides, not in the schema table.
  sampleId: optionalString,
});
export type FunctionOutput = z.infer<typeof FunctionOutput>;

/** `POST /v0.9/functions/{id}/invoke` on a Tags function → every tag that applies. */
export const TagsOutput = z.array(
  z.looseObject({
    labelName: z.string(),
    labelId: optionalString,
    confidence: z.number(),
  }),
);
export type TagsOutput = z.infer<typeof TagsOutput>;

/** A Function as `GET /v1/functions[/{id}]` returns it. */
export const NyckelFunction = z.looseObject({
  id: z.string().check(z.minLength(1)),
  name: optionalString,
  input: optionalString,
  output: optionalString,
});
export type NyckelFunction = z.infer<typeof NyckelFunction>;

export const FunctionList = z.array(NyckelFunction);
