// The normalized model: what travels inside the extension once a platform's reply is parsed.

export const PLATFORM_IDS = ['sutro', 'nyckel', 'inferable'] as const;
export type PlatformId = (typeof PLATFORM_IDS)[number];

/**
 * What core's messages say of each platform: its name and the setting of its main address. Its
 * descriptor (platforms/<name>/descriptor.ts) takes its display name from here.
 */
export const PLATFORM_IDENTITIES: Record<PlatformId, { readonly name: string; readonly addressSetting: string }> = {
  sutro: { name: 'Sutro', addressSetting: 'aiFunctions.sutro.apiUrl' },
  nyckel: { name: 'Nyckel', addressSetting: 'aiFunctions.nyckel.baseUrl' },
  inferable: { name: 'Inferable', addressSetting: 'aiFunctions.inferable.baseUrl' },
};

export type Credentials = { apiKey: string } | { clientId: string; clientSecret: string };

export interface FunctionInfo {
  platform: PlatformId;
  id: string;
  name: string;
  description?: string;
  inputType?: string;
  outputType?: string;
  /** Input field names, when the platform or the user's settings know them. */
  inputFields?: string[];
}

export interface NyckelRunOptions {
  labelCount?: number;
  includeMetadata?: boolean;
  modelId?: string;
  capture?: boolean;
  externalId?: string;
  metadata?: Record<string, string>;
  /** The function is a Nyckel Tags function (answered with every tag that applies). */
  tags?: boolean;
}

export interface InferableRunOptions {
  resultSchema?: Record<string, unknown>;
  /** How long to wait for the run to finish before giving up, in milliseconds. */
  pollTimeoutMs?: number;
}

export type RunOptions = NyckelRunOptions & InferableRunOptions;

export type RunInput = string | Record<string, unknown>;

export interface RunRequest {
  platform: PlatformId;
  /** Sutro: the Function name. Nyckel: the function id. Inferable: `service.function` or ''. */
  function: string;
  input: RunInput;
  options?: RunOptions;
}

export interface Prediction {
  label: string;
  confidence: number;
}

export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
}

export type RunKind = 'classification' | 'extraction' | 'run';

export interface RunResult {
  platform: PlatformId;
  function: string;
  kind: RunKind;
  label?: string;
  confidence?: number;
  predictions: Prediction[];
  output?: unknown;
  rationale?: string;
  summary?: string;
  status?: string;
  /** Inferable: the run's id, so it can be opened later. */
  runId?: string;
  usage?: Usage;
  durationMs: number;
  raw: unknown;
}

export const JOB_STATUSES = ['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled', 'unknown'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export function isTerminal(status: JobStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

export interface Job {
  platform: PlatformId;
  id: string;
  status: JobStatus;
  rawStatus: string;
  name?: string;
  model?: string;
  createdAt?: string;
  startedAt?: string;
  completedAt?: string;
  inputTokens?: number;
  outputTokens?: number;
  cost?: number;
  costEstimate?: number;
  rows?: number;
  failureReason?: string;
  raw: unknown;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
}
