// The run panel's message protocol: ONE typed union per direction, validated with zod on both
// sides (the host checks what the webview sends and what it posts itself; the webview checks what
// it receives). A message that does not match is rejected and logged, never acted on.
// No `vscode` import: the webview bundles this file. Nothing here ever carries a key.
import * as z from 'zod/mini';
export { insertionText, resultHeadline } from './results';
import { PLATFORM_IDS, type RunResult } from '../core/model';
import { cap } from './text';

export type { PlatformId } from '../core/model';

/** Longest input the panel sends (characters). */
export const MAX_INPUT_CHARS = 1_000_000;

const text = (max: number) => z.string().check(z.maxLength(max));
const platformId = z.enum(PLATFORM_IDS);
/** Ids the panel makes up for runs and recent runs. */
export const runIdSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/));
const count = z.number().check(z.gte(0));

// ---- what the panel knows about a platform

/** A run option's key (a `RunOptions` key); also the form field its problems are shown at. */
export const OPTION_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,39}$/;
const optionKey = z.string().check(z.regex(OPTION_KEY_PATTERN));
/** The most run options a platform offers in the panel. */
export const MAX_RUN_OPTIONS = 50;

const optionBase = { key: optionKey, label: text(100), help: text(500) };

/**
 * A run option the panel draws a control for and `buildRunRequest` checks: the panel's copy of a
 * platform descriptor's `RunOptionSpec` (src/platforms/types.ts).
 */
export const panelOptionSpecSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...optionBase, type: z.literal('integer'), min: z.int(), max: z.int(), placeholder: z.optional(text(200)) }),
  z.strictObject({ ...optionBase, type: z.literal('text'), placeholder: z.optional(text(200)) }),
  /** A checkbox; `default` is the platform's own default (only a change from it is sent). */
  z.strictObject({ ...optionBase, type: z.literal('boolean'), default: z.boolean() }),
  z.strictObject({ ...optionBase, type: z.literal('json'), shape: z.enum(['object', 'stringRecord', 'jsonSchema']), placeholder: z.optional(text(500)) }),
]);
export type PanelOptionSpec = z.infer<typeof panelOptionSpecSchema>;

/**
 * What the panel (host and webview) needs of a platform's descriptor (src/platforms/types.ts), so
 * that nothing in the panel names a platform: the same shape, fewer fields, plus `keyNoun`.
 */
export const panelDescriptorSchema = z.strictObject({
  /** "Sutro". */
  displayName: text(50),
  /** The platform's own words, lower case: "function", "API key", "message". */
  words: z.strictObject({ function: text(50), credentials: text(50), input: text(50) }),
  /** What "No <platform> … yet" calls a missing key: "API key", or "credentials" when it takes several fields. */
  keyNoun: text(50),
  functions: z.strictObject({
    listed: z.boolean(),
    /** The run may leave the function empty and let the platform choose. */
    platformChooses: z.optional(z.boolean()),
    /** Functions declare named input fields (the panel offers a form of them). */
    inputFields: z.optional(z.boolean()),
  }),
  /** The input box's placeholder. */
  inputPlaceholder: text(200),
  runOptions: z.array(panelOptionSpecSchema).check(z.maxLength(MAX_RUN_OPTIONS)),
});
export type PanelDescriptor = z.infer<typeof panelDescriptorSchema>;

// ---- the form

export const inputModeSchema = z.enum(['text', 'json', 'fields']);

/** Option values as typed (text, or a checkbox's state), by option key; `buildRunRequest` checks and converts them. */
export const formOptionsSchema = z
  .record(optionKey, z.union([text(100_000), z.boolean()]))
  .check(z.refine((options: Record<string, unknown>) => Object.keys(options).length <= MAX_RUN_OPTIONS, 'too many options'));

const fieldsSchema = z.record(text(200), text(MAX_INPUT_CHARS));

export const runFormSchema = z.strictObject({
  platform: platformId,
  /** The function's id; '' lets a platform that chooses (`functions.platformChooses`) choose. */
  function: text(500),
  inputMode: inputModeSchema,
  input: text(MAX_INPUT_CHARS),
  fields: fieldsSchema,
  options: formOptionsSchema,
});
export type RunForm = z.infer<typeof runFormSchema>;

/** The form while it is being edited (no platform chosen yet is fine). */
export const draftFormSchema = z.strictObject({
  platform: z.optional(platformId),
  function: z.optional(text(500)),
  inputMode: inputModeSchema,
  input: text(MAX_INPUT_CHARS),
  fields: fieldsSchema,
  options: formOptionsSchema,
});
export type DraftForm = z.infer<typeof draftFormSchema>;

// ---- what the panel shows

export const predictionSchema = z.strictObject({ label: text(2000), confidence: z.number() });

export const usageSchema = z.strictObject({
  inputTokens: z.optional(count),
  outputTokens: z.optional(count),
  costUsd: z.optional(count),
});

/** The most approvals a result shows (each with Approve and Deny). */
export const MAX_APPROVALS = 20;

/** A call a paused run waits for a person to approve (platform text: shown as text only). */
export const approvalViewSchema = z.strictObject({
  /** What the platform knows it by; the host reads the approval again before answering it. */
  id: text(200),
  function: z.optional(text(500)),
  /** Its arguments as JSON text. */
  args: z.optional(text(10_000)),
  description: z.optional(text(2000)),
});
export type ApprovalView = z.infer<typeof approvalViewSchema>;

/** A RunResult without `raw` (the host keeps that), as the panel shows it. */
export const resultViewSchema = z.strictObject({
  platform: platformId,
  function: text(500),
  functionName: z.optional(text(500)),
  kind: z.enum(['classification', 'extraction', 'run']),
  label: z.optional(text(10_000)),
  confidence: z.optional(z.number()),
  predictions: z.array(predictionSchema).check(z.maxLength(1000)),
  output: z.optional(z.unknown()),
  rationale: z.optional(text(100_000)),
  summary: z.optional(text(100_000)),
  status: z.optional(text(200)),
  /** The platform's own id of the run, when it has one. */
  platformRunId: z.optional(text(200)),
  usage: z.optional(usageSchema),
  durationMs: count,
  /** A paused run: the calls it waits for a person to approve, each with Approve and Deny. */
  approvals: z.optional(z.array(approvalViewSchema).check(z.maxLength(MAX_APPROVALS))),
});
export type ResultView = z.infer<typeof resultViewSchema>;

export const ERROR_ACTIONS = ['setApiKey', 'openSettings', 'showLog', 'retry'] as const;
export type ErrorAction = (typeof ERROR_ACTIONS)[number];

/** An error as the panel shows it: one message and the buttons that fix it (never a stack). */
export const panelErrorSchema = z.strictObject({
  /** An AiFunctionsError kind, or `unknown`. */
  kind: text(40),
  message: text(2000),
  platform: z.optional(platformId),
  /** The form field it is about (`input`, `labelCount`, `metadata`, `resultSchema`, `field:<name>`). */
  field: z.optional(text(210)),
  line: z.optional(z.int()),
  column: z.optional(z.int()),
  offset: z.optional(z.int()),
  actions: z.array(z.enum(ERROR_ACTIONS)).check(z.maxLength(ERROR_ACTIONS.length)),
});
export type PanelError = z.infer<typeof panelErrorSchema>;

export const panelFunctionSchema = z.strictObject({
  id: text(500),
  name: text(500),
  description: z.optional(text(2000)),
  inputType: z.optional(text(100)),
  outputType: z.optional(text(100)),
  inputFields: z.optional(z.array(text(200)).check(z.maxLength(100))),
  /** Used recently (listed first). */
  recent: z.boolean(),
});
export type PanelFunction = z.infer<typeof panelFunctionSchema>;

export const platformEntrySchema = z.strictObject({
  platform: platformId,
  /** What the panel shows and checks for this platform (its name, words, run options…). */
  descriptor: panelDescriptorSchema,
  hasKey: z.boolean(),
  /** The functions are being listed. */
  loading: z.boolean(),
  /** Recently used first. */
  functions: z.array(panelFunctionSchema).check(z.maxLength(5000)),
  error: z.optional(panelErrorSchema),
});
export type PlatformEntry = z.infer<typeof platformEntrySchema>;

export const recentRunSummarySchema = z.strictObject({
  id: runIdSchema,
  at: count,
  platform: platformId,
  function: text(500),
  functionName: text(500),
  inputPreview: text(300),
  headline: text(300),
  ok: z.boolean(),
  /** The whole input was kept (a very large one is not), so it can run again. */
  rerunnable: z.boolean(),
});
export type RecentRunSummary = z.infer<typeof recentRunSummarySchema>;

const shownResult = z.strictObject({ runId: runIdSchema, view: resultViewSchema });
const shownError = z.strictObject({ runId: z.optional(runIdSchema), error: panelErrorSchema });

/** What opening the panel fills in (all optional: only what is given changes). */
export const prefillSchema = z.strictObject({
  platform: z.optional(platformId),
  function: z.optional(text(500)),
  input: z.optional(text(MAX_INPUT_CHARS)),
  inputMode: z.optional(inputModeSchema),
  fields: z.optional(fieldsSchema),
  options: z.optional(formOptionsSchema),
  result: z.optional(shownResult),
  error: z.optional(shownError),
  /** Where the keyboard focus goes. */
  focus: z.optional(z.enum(['function', 'input'])),
});
export type Prefill = z.infer<typeof prefillSchema>;

/** The webview's state (`vscode.setState`), also what the panel serializer restores. */
export const panelStateSchema = z.object({
  version: z.literal(1),
  form: draftFormSchema,
  optionsOpen: z.boolean(),
  result: z.optional(shownResult),
  error: z.optional(shownError),
  /** The platforms' descriptors from the last `init`, so a reloaded webview draws its form at once. */
  descriptors: z.optional(z.array(z.strictObject({ platform: platformId, descriptor: panelDescriptorSchema })).check(z.maxLength(PLATFORM_IDS.length))),
});
export type PanelState = z.infer<typeof panelStateSchema>;

// ---- host → webview

export const hostMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('init'),
    platforms: z.array(platformEntrySchema).check(z.maxLength(PLATFORM_IDS.length)),
    recentRuns: z.array(recentRunSummarySchema).check(z.maxLength(200)),
    /** The state the serializer restored (the webview prefers its own `getState()`). */
    state: z.optional(panelStateSchema),
    prefill: z.optional(prefillSchema),
    /** The run in progress, if any. */
    running: z.optional(z.strictObject({ runId: runIdSchema, platform: platformId, function: text(500) })),
    /** The editor "Insert into editor" writes to, e.g. `notes.md:12`. */
    insertTarget: z.nullable(text(300)),
  }),
  z.strictObject({ type: z.literal('platforms'), platforms: z.array(platformEntrySchema).check(z.maxLength(PLATFORM_IDS.length)) }),
  z.strictObject({ type: z.literal('prefill'), prefill: prefillSchema }),
  z.strictObject({ type: z.literal('running'), runId: runIdSchema, platform: platformId, function: text(500) }),
  z.strictObject({ type: z.literal('result'), runId: runIdSchema, view: resultViewSchema }),
  z.strictObject({ type: z.literal('error'), runId: z.optional(runIdSchema), error: panelErrorSchema }),
  z.strictObject({ type: z.literal('cancelled'), runId: runIdSchema }),
  z.strictObject({ type: z.literal('recentRuns'), runs: z.array(recentRunSummarySchema).check(z.maxLength(200)) }),
  z.strictObject({ type: z.literal('insertTarget'), label: z.nullable(text(300)) }),
  z.strictObject({ type: z.literal('notice'), text: text(300), level: z.enum(['info', 'error']) }),
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

// ---- webview → host

export const webviewMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('run'), runId: runIdSchema, form: runFormSchema }),
  z.strictObject({ type: z.literal('cancel'), runId: runIdSchema }),
  /** The user picked another platform or function (the host updates the panel's title). */
  z.strictObject({ type: z.literal('select'), platform: z.optional(platformId), function: z.optional(text(500)) }),
  z.strictObject({ type: z.literal('copyResult'), runId: runIdSchema }),
  z.strictObject({ type: z.literal('insertResult'), runId: runIdSchema }),
  z.strictObject({ type: z.literal('openRaw'), runId: runIdSchema }),
  /** Approve or Deny on one of the result's approvals (the host reads it again from the platform). */
  z.strictObject({ type: z.literal('decide'), runId: runIdSchema, decisionId: text(200), approved: z.boolean() }),
  z.strictObject({ type: z.literal('openRecent'), id: runIdSchema }),
  z.strictObject({ type: z.literal('rerun'), id: runIdSchema }),
  z.strictObject({ type: z.literal('clearRecentRuns') }),
  z.strictObject({ type: z.literal('setApiKey'), platform: platformId }),
  z.strictObject({ type: z.literal('openSettings') }),
  z.strictObject({ type: z.literal('showLog') }),
  z.strictObject({ type: z.literal('refreshFunctions'), platform: z.optional(platformId) }),
  /** Problems the webview saw (e.g. a host message it rejected), for the extension's log. */
  z.strictObject({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: text(1000) }),
]);
export type WebviewMessage = z.infer<typeof webviewMessageSchema>;

export type Parsed<T> = { ok: true; message: T } | { ok: false; reason: string };

export function parseWebviewMessage(data: unknown): Parsed<WebviewMessage> {
  return parseWith(webviewMessageSchema, data);
}

export function parseHostMessage(data: unknown): Parsed<HostMessage> {
  return parseWith(hostMessageSchema, data);
}

function parseWith<T>(schema: z.ZodMiniType<T>, data: unknown): Parsed<T> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, message: parsed.data };
  return { ok: false, reason: describeRejected(data, parsed.error.issues) };
}

/** Why a message was rejected, without echoing its content (it may hold a user's input). */
function describeRejected(data: unknown, issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  const type = data !== null && typeof data === 'object' && 'type' in data ? (data as { type: unknown }).type : undefined;
  const what = typeof type === 'string' ? `type "${type.slice(0, 40).replace(/[^\w.-]/g, '?')}"` : data === null ? 'null' : typeof data === 'object' ? 'no type' : typeof data;
  const issue = issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.map(String).join('.').slice(0, 80)}` : '';
  return `${what}${where}: ${issue?.message ?? 'invalid'}`;
}

// ---- conversions

function finite(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function nonNegative(value: number | undefined): number | undefined {
  const v = finite(value);
  return v !== undefined && v >= 0 ? v : undefined;
}

/** What the panel shows of a result (valid against `resultViewSchema`: long texts are shortened). */
export function toResultView(result: RunResult, functionName?: string): ResultView {
  const view: ResultView = {
    platform: result.platform,
    function: cap(result.function, 500),
    kind: result.kind,
    predictions: result.predictions
      .filter((p) => typeof p.label === 'string' && finite(p.confidence) !== undefined)
      .slice(0, 1000)
      .map((p) => ({ label: cap(p.label, 2000), confidence: p.confidence })),
    durationMs: nonNegative(result.durationMs) ?? 0,
  };
  if (functionName) view.functionName = cap(functionName, 500);
  if (typeof result.label === 'string') view.label = cap(result.label, 10_000);
  const confidence = finite(result.confidence);
  if (confidence !== undefined) view.confidence = confidence;
  if (result.output !== undefined) view.output = jsonSafe(result.output);
  if (typeof result.rationale === 'string') view.rationale = cap(result.rationale, 100_000);
  if (typeof result.summary === 'string') view.summary = cap(result.summary, 100_000);
  if (typeof result.status === 'string') view.status = cap(result.status, 200);
  if (typeof result.runId === 'string') view.platformRunId = cap(result.runId, 200);
  if (result.usage) {
    const usage: ResultView['usage'] = {};
    const inputTokens = nonNegative(result.usage.inputTokens);
    const outputTokens = nonNegative(result.usage.outputTokens);
    const costUsd = nonNegative(result.usage.costUsd);
    if (inputTokens !== undefined) usage.inputTokens = inputTokens;
    if (outputTokens !== undefined) usage.outputTokens = outputTokens;
    if (costUsd !== undefined) usage.costUsd = costUsd;
    if (Object.keys(usage).length > 0) view.usage = usage;
  }
  return view;
}

/** The value as JSON would carry it (no functions, no cycles, no NaN). */
function jsonSafe(value: unknown): unknown {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? null : (JSON.parse(json) as unknown);
  } catch {
    return String(value);
  }
}

export function emptyDraft(): DraftForm {
  return { inputMode: 'text', input: '', fields: {}, options: {} };
}
