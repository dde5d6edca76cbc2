// The Evaluation view's message protocol, the run panel's rules (src/shared/panelProtocol.ts): ONE
// typed union per direction, validated with zod on both sides; a message that does not match is
// rejected and logged, never acted on. No `vscode` import: the webview bundles this file.
// Labels come from the user's file and from a platform: untrusted text, shown with textContent.
import * as z from 'zod/mini';

/** The longest label (or file name, or title) the view gets; longer ones are shortened by the host. */
export const MAX_TEXT = 500;
/** The most labels drawn in the matrix and listed per label; past it the export has them all. */
export const MAX_LABELS = 100;
/** The most disagreement (and changed) rows the view lists; the export has them all. */
export const MAX_ROWS = 5_000;

const text = (max = MAX_TEXT) => z.string().check(z.maxLength(max));
const count = z.int().check(z.gte(0));
const ratio = z.optional(z.number().check(z.gte(0), z.lte(1)));
const line = z.int().check(z.gte(1));
const confidence = z.optional(z.number());

const accuracySchema = z.strictObject({ correct: count, scored: count, total: count, errors: count, missing: count, value: ratio });

export const reportViewSchema = z.strictObject({
  /** "Lead intent on leads.csv". */
  title: text(),
  /** How the answers were got: "Ran Lead intent (Nyckel)" or "Read the column ai_label". */
  answers: text(),
  accuracy: accuracySchema,
  /** Rows with no expected label, and unreadable lines: not evaluated. */
  unlabelled: count,
  unreadable: count,
  perLabel: z.array(
    z.strictObject({ label: text(), support: count, predicted: count, truePositives: count, precision: ratio, recall: ratio, f1: ratio }),
  ).check(z.maxLength(MAX_LABELS)),
  macro: z.strictObject({ precision: ratio, recall: ratio, f1: ratio }),
  /** All the labels, when at most MAX_LABELS; else the matrix is left out (`labelCount` says how many). */
  matrix: z.optional(z.strictObject({ labels: z.array(text()).check(z.maxLength(MAX_LABELS)), counts: z.array(z.array(count)) })),
  labelCount: count,
  reliability: z.strictObject({
    bins: z.array(z.strictObject({ lower: z.number(), upper: z.number(), count, meanConfidence: ratio, accuracy: ratio })).check(z.maxLength(100)),
    rows: count,
    ece: ratio,
  }),
  disagreements: z.array(z.strictObject({ line, expected: text(), predicted: text(), confidence })).check(z.maxLength(MAX_ROWS)),
  disagreementsTotal: count,
  comparison: z.optional(
    z.strictObject({
      /** "Lead intent (Nyckel) with Model ID = m2". */
      title: text(),
      accuracy: accuracySchema,
      compared: count,
      agreed: count,
      agreement: ratio,
      fixed: count,
      broken: count,
      changes: z
        .array(z.strictObject({ line, expected: text(), before: z.optional(text()), after: z.optional(text()), matches: z.enum(['before', 'after', 'neither']) }))
        .check(z.maxLength(MAX_ROWS)),
      changesTotal: count,
    }),
  ),
  /** Compare with… needs a function to compare with: only offered when one was run. */
  canCompare: z.boolean(),
});
export type ReportView = z.infer<typeof reportViewSchema>;

export const evalHostMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('report'), report: reportViewSchema }),
  /** Work in progress (a comparison run, an export); null when done. */
  z.strictObject({ type: z.literal('busy'), text: z.nullable(text()) }),
  z.strictObject({ type: z.literal('notice'), level: z.enum(['info', 'warning', 'error']), text: text(1000) }),
]);
export type EvalHostMessage = z.infer<typeof evalHostMessageSchema>;

export const evalWebviewMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  /** Open the evaluated file at this line (the host checks it is a line of that file). */
  z.strictObject({ type: z.literal('openLine'), line }),
  z.strictObject({ type: z.literal('compare') }),
  z.strictObject({ type: z.literal('export'), format: z.enum(['markdown', 'csv']) }),
  z.strictObject({ type: z.literal('log'), level: z.enum(['warn', 'error']), message: text(1000) }),
]);
export type EvalWebviewMessage = z.infer<typeof evalWebviewMessageSchema>;

export type ParsedMessage<T> = { ok: true; message: T } | { ok: false; reason: string };

function parse<T>(schema: z.ZodMiniType<T>, data: unknown): ParsedMessage<T> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `${issue?.path.map(String).join('.') || 'message'}: ${issue?.message ?? 'invalid'}` };
}

export const parseEvalHostMessage = (data: unknown): ParsedMessage<EvalHostMessage> => parse(evalHostMessageSchema, data);
export const parseEvalWebviewMessage = (data: unknown): ParsedMessage<EvalWebviewMessage> => parse(evalWebviewMessageSchema, data);
