// The shapes of Inferable's replies, as documented (seed "invoking a run" page and the
// control-plane contract, 2024 and current). Only what the client reads is required; every
// object is loose so new fields never break parsing.
import * as z from 'zod/mini';

const text = z.optional(z.nullable(z.string()));
/** Dates arrive as ISO strings; epoch milliseconds are tolerated. */
const date = z.optional(z.nullable(z.union([z.string(), z.number()])));

/**
 * `POST /clusters/{c}/runs` → 201 `{id}` (Oct 2024); the current control plane answers
 * `{id, status, result}` (contract.ts `createRun`), which is how a reply tells the generation.
 */
export const createdRunSchema = z.looseObject({ id: z.string(), status: z.optional(z.nullable(z.string())) });

const flag = z.optional(z.nullable(z.boolean()));

/**
 * A job the run called (the seed's `jobs[]`, the timeline's `jobs[]`). The current control plane
 * adds `approvalRequested` and `approved`: a job with `approvalRequested && approved == null` waits
 * for a person.
 */
export const runJobSchema = z.looseObject({
  id: z.string(),
  status: z.nullable(z.string()),
  targetFn: text,
  service: text,
  resultType: text,
  createdAt: date,
  approved: flag,
  approvalRequested: flag,
});

/** `GET /clusters/{c}/jobs/{jobId}` (current): `targetArgs` is the packed input, `{"value": …}` as JSON text. */
export const jobDetailSchema = z.looseObject({
  id: z.string(),
  targetFn: text,
  targetArgs: z.optional(z.unknown()),
  approved: flag,
  approvalRequested: flag,
});

/** A question the run is waiting on (2024 timeline `inputRequests[]`, or `GET …/input-requests/{id}`). */
export const inputRequestSchema = z.looseObject({
  id: z.string(),
  type: text,
  description: text,
  service: text,
  function: text,
  requestArgs: z.optional(z.unknown()),
  resolvedAt: date,
  createdAt: date,
  presentedOptions: z.optional(z.nullable(z.array(z.string()))),
  options: z.optional(z.nullable(z.array(z.string()))),
});

/** The run's own fields, common to both reply shapes. `status` is documented as nullable. */
const runFields = {
  id: z.string(),
  name: text,
  status: z.nullable(z.string()),
  /** Structured result: any JSON (the 2024 flat reply sends it as a JSON string). */
  result: z.optional(z.unknown()),
  summary: text,
  failureReason: text,
  createdAt: date,
};

const runLists = {
  jobs: z.optional(z.nullable(z.array(runJobSchema))),
  inputRequests: z.optional(z.nullable(z.array(inputRequestSchema))),
};

/** The seed's shape: `{run: {…}, jobs: […], inputRequests: […]}`. */
export const nestedRunSchema = z.looseObject({ run: z.looseObject(runFields), ...runLists });

/** The flat shape of `GET /clusters/{c}/runs/{r}` in the control-plane contract: `{id, status, result, …}`. */
export const flatRunSchema = z.looseObject({ ...runFields, ...runLists });

/**
 * `GET /clusters/{c}/runs/{r}/timeline?…After=0` (2024): where the flat reply's run keeps its jobs
 * and input requests. Only those two lists are read.
 */
export const timelineSchema = z.looseObject(runLists);

/** `GET /clusters/{c}/runs?limit=` → newest runs, no cursor. */
export const runListSchema = z.array(
  z.looseObject({
    id: z.string(),
    name: text,
    status: z.nullable(z.string()),
    createdAt: date,
    failureReason: text,
  }),
);

/** `GET /clusters/{c}/services` → services with their functions; `schema` is a JSON schema (as a string in 2024). */
export const serviceListSchema = z.array(
  z.looseObject({
    name: z.string(),
    description: text,
    functions: z.optional(
      z.nullable(
        z.array(
          z.looseObject({
            name: z.string(),
            description: text,
            schema: z.optional(z.nullable(z.union([z.string(), z.record(z.string(), z.unknown())]))),
          }),
        ),
      ),
    ),
  }),
);

/**
 * `GET /clusters/{c}/tools` (current) → `[{name, description, schema, config, shouldExpire,
 * lastPingAt, createdAt}]`; `schema` is a JSON schema as a JSON string.
 */
export const toolListSchema = z.array(
  z.looseObject({
    name: z.string(),
    description: text,
    schema: z.optional(z.nullable(z.union([z.string(), z.record(z.string(), z.unknown())]))),
  }),
);

/**
 * `GET /clusters/{c}/runs/{r}/messages` (current) → the newest messages first: `{id, type, data,
 * createdAt, pending, metadata}`; an `agent` message's text is `data.message`.
 */
export const messageListSchema = z.array(
  z.looseObject({
    id: z.string(),
    type: z.string(),
    data: z.optional(z.nullable(z.looseObject({ message: z.optional(z.nullable(z.unknown())) }))),
    createdAt: date,
  }),
);

export type NestedRunReply = z.infer<typeof nestedRunSchema>;
export type FlatRunReply = z.infer<typeof flatRunSchema>;
export type RunJobReply = z.infer<typeof runJobSchema>;
export type InputRequestReply = z.infer<typeof inputRequestSchema>;
export type RunListReply = z.infer<typeof runListSchema>;
export type ServiceListReply = z.infer<typeof serviceListSchema>;
export type ToolListReply = z.infer<typeof toolListSchema>;
export type MessageListReply = z.infer<typeof messageListSchema>;
