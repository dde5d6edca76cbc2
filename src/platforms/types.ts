// The one interface each platform adapter implements, and the descriptor the UI reads instead of
// checking platform names.
import type { HttpClient } from '../core/http';
import type { Logger } from '../core/log';
import type { CredentialField } from '../core/credentials';
import type { Credentials, FunctionInfo, Job, Page, PageRequest, PlatformId, RunOptions, RunRequest, RunResult } from '../core/model';

/** What every adapter is built with (constructor injection; nothing is global). */
export interface AdapterOptions<Config> {
  http: HttpClient;
  /** The stored credentials, read on every call: the user may change them at any time. */
  credentials: () => Promise<Credentials | undefined>;
  /** Read on every call: settings may change. */
  config: () => Config;
  logger: Logger;
  /** Wall clock in ms (default `Date.now`). */
  now?: () => number;
}

/** A credential field the user types in: `apiKey`, or `clientId` + `clientSecret`. */
export interface CredentialFieldSpec {
  field: CredentialField;
  /** "API key", "client ID", "client secret". */
  label: string;
  /** Typed in a password box, never shown. */
  secret: boolean;
}

/**
 * A run option the run panel offers. Plain data: the description travels to the webview, which
 * draws a control for each, and `src/shared/runInput.ts` checks the values against it.
 */
export type RunOptionSpec = {
  key: keyof RunOptions;
  label: string;
  help: string;
} & (
  | { type: 'integer'; min: number; max: number; placeholder?: string }
  | { type: 'text'; placeholder?: string }
  /** A checkbox; `default` is the platform's own default (only a change from it is sent). */
  | { type: 'boolean'; default: boolean }
  /** JSON: `object` any object, `stringRecord` an object of strings, `jsonSchema` a JSON Schema. */
  | { type: 'json'; shape: 'object' | 'stringRecord' | 'jsonSchema'; placeholder?: string }
);

/**
 * Everything the UI knows about a platform, in one place: the trees, the run panel (host and
 * webview), Classify, the rows command and error messages read this instead of naming platforms.
 */
export interface PlatformDescriptor {
  id: PlatformId;
  /** "Sutro". */
  displayName: string;
  /** The platform's own words, lower case: what a function is called, what its credentials are. */
  words: {
    /** "function", "tool". */
    function: string;
    /** "API key", "client credentials". */
    credentials: string;
    /** What the user types in: "input", "message". */
    input: string;
  };
  credentialFields: readonly CredentialFieldSpec[];
  functions: {
    /** False when the platform has no endpoint that lists them: the user lists them in settings. */
    listed: boolean;
    /** The run may leave the function empty and let the platform choose (Inferable). */
    platformChooses?: boolean;
    /** Functions declare named input fields (the run panel offers a form of them). */
    inputFields?: boolean;
  };
  /** The input box's placeholder in the run panel. */
  inputPlaceholder: string;
  runOptions: readonly RunOptionSpec[];
  /** Options that make a run answer with every prediction, not only the top one (Classify). */
  allPredictions?: RunOptions;
  limits: {
    /** The most requests the platform allows in flight at once, if it documents one. */
    maxInFlight?: number;
  };
  /**
   * The platform issues each key for one endpoint (a deployment) and the key is bound to it: Set
   * API Key asks for the endpoint first when none is set, and the adapter implements keyBinding().
   */
  keyEndpoint?: {
    /** The user setting that holds it, e.g. `aiFunctions.sutro.apiUrl`. */
    setting: string;
    /** The settings whose change may move it elsewhere (the key is then asked for again). */
    affectedBy: readonly string[];
    /** "deployment URL". */
    label: string;
    /** Under the input box. */
    prompt: string;
    placeholder: string;
  };
}

export interface InputRequest {
  id: string;
  type?: string;
  description?: string;
  options?: string[];
}

/** A call the run wants to make once a person approves it (Inferable: a job awaiting approval). */
export interface ApprovalRequest {
  kind: 'approval';
  /** What the platform knows it by (Inferable: the job id). */
  id: string;
  /** The function or tool the run wants to call. */
  function?: string;
  /** Its arguments as JSON text, when the platform tells them. */
  args?: string;
  description?: string;
}

/**
 * What a paused run waits on a person for: an approval (approve or deny) or an input request (free
 * text, or one of `options`). Platform text: shown only through `inert`.
 */
export type PendingDecision = ApprovalRequest | (InputRequest & { kind: 'input' });

/** The answer to a PendingDecision: `approved` for an approval, `input` for an input request. */
export type DecisionAnswer = { approved: boolean } | { input: string };

const APPROVE_WORDS = /^(approve|approved|yes)$/i;
const DENY_WORDS = /^(deny|denied|no|reject|rejected)$/i;

/**
 * A typed answer as the decision takes it: the text itself for an input request; approve or deny
 * words for an approval (undefined when the text is neither).
 */
export function decisionAnswer(decision: PendingDecision, text: string): DecisionAnswer | undefined {
  if (decision.kind === 'input') return { input: text };
  const word = text.trim();
  if (APPROVE_WORDS.test(word)) return { approved: true };
  if (DENY_WORDS.test(word)) return { approved: false };
  return undefined;
}

export interface JobResults {
  /** One entry per row, in the job's order (with `file`: its first rows). */
  rows: unknown[];
  raw: unknown;
  /** Results too large to hold in memory: the file they were saved to, and its row count. */
  file?: { path: string; format: 'parquet'; totalRows: number };
}

/**
 * One platform. What every platform does is required; what only some do is an optional method,
 * and `can(adapter, ability)` is the one way to ask whether a platform has it.
 */
export interface PlatformAdapter {
  readonly id: PlatformId;
  readonly descriptor: PlatformDescriptor;
  listFunctions(signal?: AbortSignal): Promise<FunctionInfo[]>;
  run(request: RunRequest, signal?: AbortSignal): Promise<RunResult>;
  /** Jobs (Sutro batch jobs, Inferable runs). */
  listJobs?(page?: PageRequest, signal?: AbortSignal): Promise<Page<Job>>;
  getJob?(id: string, signal?: AbortSignal): Promise<Job>;
  cancelJob?(id: string, signal?: AbortSignal): Promise<void>;
  /** `progress` hears what a longer wait is waiting for (results that lag, a download). */
  jobResults?(id: string, signal?: AbortSignal, progress?: (message: string) => void): Promise<JobResults>;
  /** What a paused run waits on a person for (approvals and input requests), oldest first. */
  pendingDecisions?(jobId: string, signal?: AbortSignal): Promise<PendingDecision[]>;
  /** Answers one of `pendingDecisions`; the run then goes on. */
  decide?(jobId: string, decision: PendingDecision, answer: DecisionAnswer, signal?: AbortSignal): Promise<void>;
  /**
   * Waits for a run that went on after a decision until it finishes or waits on a person again,
   * and returns it as `run` does (`fn`: the function it was run with).
   */
  awaitRun?(runId: string, fn: string, signal?: AbortSignal): Promise<RunResult>;
  submitBatch?(functionName: string, rows: Record<string, unknown>[], name?: string, signal?: AbortSignal): Promise<string>;
  /** What the platform says a batch job of these rows would cost, in USD (undefined: it gave no figure). Sends nothing to run. */
  estimateBatchCost?(functionName: string, rows: Record<string, unknown>[], signal?: AbortSignal): Promise<number | undefined>;
  /**
   * With `descriptor.keyEndpoint`: the origin a key set now is bound to (the configured endpoint),
   * or a configuration error saying what to set when the endpoint the key needs is missing or not valid.
   */
  keyBinding?(): string;
  /** With `descriptor.keyEndpoint`: why `raw` cannot be the endpoint, or undefined when it can. */
  endpointProblem?(raw: string): string | undefined;
}

/** The optional abilities a platform may have. */
/** Every optional ability, so that a list of them can be checked (the lazy adapters' tests). */
export const ABILITIES = ['listJobs', 'getJob', 'cancelJob', 'jobResults', 'submitBatch', 'estimateBatchCost', 'pendingDecisions', 'decide', 'awaitRun'] as const;
export type Ability = (typeof ABILITIES)[number];

/** The adapter, typed so that `ability` can be called, when the platform has it. */
export type With<A extends Ability> = PlatformAdapter & Required<Pick<PlatformAdapter, A>>;

/** Whether the platform has `ability` (and every other one given). */
export function can<A extends Ability>(adapter: PlatformAdapter, ...abilities: A[]): adapter is With<A> {
  return abilities.every((ability) => typeof adapter[ability] === 'function');
}

/** Jobs are listed and read together: a platform with jobs has both. */
export function hasJobs(adapter: PlatformAdapter): adapter is With<'listJobs' | 'getJob'> {
  return can(adapter, 'listJobs', 'getJob');
}

/** A run's status while it waits on a person (`RunResult.status`). */
export const PAUSED_STATUS = 'paused';

/**
 * The approvals a run result waits for. By contract, a run that waits on a person returns
 * `status: 'paused'` with `output` = its `PendingDecision[]` (checked here: output is platform data).
 */
export function pausedApprovals(result: Pick<RunResult, 'status' | 'output' | 'runId'>): ApprovalRequest[] {
  if (result.status !== PAUSED_STATUS || typeof result.runId !== 'string' || !Array.isArray(result.output)) return [];
  const optionalText = (v: unknown) => v === undefined || typeof v === 'string';
  return result.output.filter(
    (d): d is ApprovalRequest =>
      typeof d === 'object' && d !== null && (d as ApprovalRequest).kind === 'approval' && typeof (d as ApprovalRequest).id === 'string' &&
      optionalText((d as ApprovalRequest).function) && optionalText((d as ApprovalRequest).args) && optionalText((d as ApprovalRequest).description),
  );
}
