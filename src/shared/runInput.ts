// The run panel's form → a RunRequest, shared by the webview (to show problems before anything is
// sent) and the host (which checks again and is the one that decides). What a platform takes comes
// from its descriptor (its words, whether it chooses the function, its run options), never from its
// name. No `vscode` import: the webview bundles this file.
import type { PlatformId, RunInput, RunOptions, RunRequest } from '../core/model';
import type { PanelOptionSpec } from './panelProtocol';

export type InputMode = 'text' | 'json' | 'fields';

/** Where a JSON text stops being JSON: 1-based line and column, 0-based offset. */
export interface JsonProblem {
  message: string;
  offset: number;
  line: number;
  column: number;
}

/** What the panel's form holds; option values are raw text or a checkbox's state (checked by `buildRunRequest`). */
export interface RunFormLike {
  platform: PlatformId;
  function: string;
  inputMode: InputMode;
  input: string;
  fields: Record<string, string>;
  options: FormOptions;
}

/** Option values by option key, as typed. */
export type FormOptions = Record<string, string | boolean>;

/**
 * What `buildRunRequest` needs to know of the platform: a platform descriptor
 * (src/platforms/types.ts) or the panel's copy of one (`PanelDescriptor`).
 */
export interface RunSpec {
  words: { input: string };
  functions: { platformChooses?: boolean };
  runOptions: readonly PanelOptionSpec[];
}

/** The form field a problem belongs to: `input`, `function`, an option key, or `field:<name>`. */
export interface FormProblem {
  field: string;
  message: string;
  line?: number;
  column?: number;
  offset?: number;
}

export type BuildResult = { ok: true; request: RunRequest } | { ok: false; problem: FormProblem };

const MAX_DEPTH = 256;

/** The first problem in `text` as JSON, with its line and column; undefined when it parses. */
export function jsonProblem(text: string): JsonProblem | undefined {
  const at = new JsonScanner(text).problem();
  if (!at) return undefined;
  return { message: at.message, offset: at.offset, ...lineAndColumn(text, at.offset) };
}

/** 1-based line and column of `offset` (a CRLF counts as one line break). */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** "Line 3, column 7: Expected ',' or '}'." */
export function describeJsonProblem(problem: Pick<JsonProblem, 'message' | 'line' | 'column'>): string {
  return `Line ${problem.line}, column ${problem.column}: ${problem.message}`;
}

/** A selection that is a JSON object is JSON; anything else is text. */
export function detectInputMode(text: string): 'text' | 'json' {
  return /^\s*\{/.test(text) && jsonProblem(text) === undefined ? 'json' : 'text';
}

/** The fields of a JSON object text, as strings (non-strings as JSON); undefined if not an object. */
export function fieldsFromJson(text: string, names: readonly string[]): Record<string, string> | undefined {
  if (jsonProblem(text)) return undefined;
  const value: unknown = JSON.parse(text);
  if (!isPlainObject(value)) return undefined;
  const fields: Record<string, string> = {};
  for (const name of names) {
    const v = value[name];
    fields[name] = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return fields;
}

/** Checks the form against what `platform` takes and builds the request the host sends; the first problem otherwise. */
export function buildRunRequest(form: RunFormLike, platform: RunSpec, inputFields?: readonly string[]): BuildResult {
  const fn = form.function.trim();
  if (!fn && !platform.functions.platformChooses) return fail('function', 'Choose a function to run.');

  const input = buildInput(form, platform.words.input, inputFields);
  if (!input.ok) return input;

  const options: RunOptions = {};
  for (const spec of platform.runOptions) {
    const problem = readOption(spec, form.options, options);
    if (problem) return { ok: false, problem };
  }
  const request: RunRequest = { platform: form.platform, function: fn, input: input.value };
  if (Object.keys(options).length > 0) request.options = options;
  return { ok: true, request };
}

function buildInput(form: RunFormLike, what: string, inputFields?: readonly string[]): { ok: true; value: RunInput } | { ok: false; problem: FormProblem } {
  if (form.inputMode === 'fields') {
    const names = inputFields && inputFields.length > 0 ? inputFields : Object.keys(form.fields);
    if (names.length === 0) return fail('input', 'This function has no known input fields: use Text or JSON.');
    const value: Record<string, unknown> = {};
    for (const name of names) value[name] = form.fields[name] ?? '';
    if (names.every((name) => (form.fields[name] ?? '').trim() === '')) {
      return fail(`field:${names[0]}`, 'Fill in at least one field.');
    }
    return { ok: true, value };
  }
  if (form.input.trim() === '') {
    return fail('input', `The ${what} is empty: select some text in an editor or type it here.`);
  }
  if (form.inputMode === 'text') return { ok: true, value: form.input };
  const problem = jsonProblem(form.input);
  if (problem) return { ok: false, problem: { field: 'input', message: problem.message, line: problem.line, column: problem.column, offset: problem.offset } };
  const value: unknown = JSON.parse(form.input);
  if (!isPlainObject(value)) {
    return fail('input', `The JSON ${what} must be an object ({ … }). Choose Text to send it as text.`, 1, 1, 0);
  }
  return { ok: true, value };
}

/** The option's value as typed: text for every type but `boolean`; a value of the other kind counts as unset. */
function typed(spec: PanelOptionSpec, raw: FormOptions): string | boolean | undefined {
  const value = Object.prototype.hasOwnProperty.call(raw, spec.key) ? raw[spec.key] : undefined;
  if (spec.type === 'boolean') return typeof value === 'boolean' ? value : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Checks one option and puts its converted value in `out`; nothing when it is unset or the platform's default. */
function readOption(spec: PanelOptionSpec, raw: FormOptions, out: RunOptions): FormProblem | undefined {
  const value = typed(spec, raw);
  const set = (converted: unknown) => Object.assign(out, { [spec.key]: converted });
  switch (spec.type) {
    case 'boolean':
      // Only a change from the platform's own default is sent.
      if (typeof value === 'boolean' && value !== spec.default) set(value);
      return undefined;
    case 'text': {
      const text = typeof value === 'string' ? value.trim() : '';
      if (text) set(text);
      return undefined;
    }
    case 'integer': {
      const text = typeof value === 'string' ? value.trim() : '';
      if (!text) return undefined;
      const n = Number(text);
      if (!/^-?\d+$/.test(text) || n < spec.min || n > spec.max) {
        return { field: spec.key, message: `${optionName(spec)} must be a whole number from ${spec.min} to ${spec.max}.` };
      }
      set(n);
      return undefined;
    }
    case 'json': {
      if (typeof value !== 'string' || value.trim() === '') return undefined;
      const problem = jsonProblem(value);
      if (problem) return { field: spec.key, message: problem.message, line: problem.line, column: problem.column, offset: problem.offset };
      const parsed: unknown = JSON.parse(value);
      const message = shapeProblem(spec.shape, parsed, optionName(spec));
      if (message) return { field: spec.key, message, line: 1, column: 1, offset: 0 };
      set(parsed);
      return undefined;
    }
  }
}

/** The option's name in messages: its label without the note in parentheses ("Metadata (JSON object of strings)" → "Metadata"). */
function optionName(spec: PanelOptionSpec): string {
  return spec.label.replace(/\s*\([^)]*\)\s*$/, '') || spec.key;
}

/** "Result schema" → "result schema" (an acronym such as "URL map" stays). */
function lowerFirst(name: string): string {
  return /^[A-Z][A-Z]/.test(name) ? name : name.charAt(0).toLowerCase() + name.slice(1);
}

const SCHEMA_TYPES = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'];

/** Why `value` does not have the option's JSON shape; undefined when it does. */
function shapeProblem(shape: Extract<PanelOptionSpec, { type: 'json' }>['shape'], value: unknown, name: string): string | undefined {
  switch (shape) {
    case 'object':
      return isPlainObject(value) ? undefined : `${name} must be a JSON object ({ … }).`;
    case 'stringRecord':
      return isPlainObject(value) && Object.values(value).every((v) => typeof v === 'string') ? undefined : `${name} must be a JSON object of strings, e.g. {"source": "crm"}.`;
    case 'jsonSchema': {
      const the = `The ${lowerFirst(name)}`;
      if (!isPlainObject(value)) return `${the} must be a JSON Schema object, e.g. {"type": "object", "properties": {…}}.`;
      const types = Array.isArray(value.type) ? value.type : value.type === undefined ? [] : [value.type];
      if (!types.every((t) => typeof t === 'string' && SCHEMA_TYPES.includes(t))) {
        return `${the}'s "type" must be one of ${SCHEMA_TYPES.join(', ')}.`;
      }
      if (value.properties !== undefined && !isPlainObject(value.properties)) return `${the}'s "properties" must be an object.`;
      if (value.required !== undefined && !(Array.isArray(value.required) && value.required.every((r) => typeof r === 'string'))) {
        return `${the}'s "required" must be an array of property names.`;
      }
      return undefined;
    }
  }
}

function fail(field: string, message: string, line?: number, column?: number, offset?: number): { ok: false; problem: FormProblem } {
  const problem: FormProblem = { field, message };
  if (line !== undefined) Object.assign(problem, { line, column, offset });
  return { ok: false, problem };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A strict JSON (RFC 8259) scanner that reports where and why a text stops being JSON. */
class JsonScanner {
  private i = 0;

  constructor(private readonly s: string) {}

  problem(): { message: string; offset: number } | undefined {
    try {
      this.ws();
      if (this.i >= this.s.length) return { message: 'The JSON is empty.', offset: 0 };
      this.value(0);
      this.ws();
      if (this.i < this.s.length) this.fail(`Unexpected ${this.describe()} after the end of the JSON value.`);
      return undefined;
    } catch (error) {
      if (error instanceof ScanError) return { message: error.message, offset: error.offset };
      throw error;
    }
  }

  private value(depth: number): void {
    if (depth > MAX_DEPTH) this.fail('The JSON is nested too deeply.');
    const c = this.s[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    }
    if (c === "'") this.fail('Strings must use double quotes (").');
    this.fail(`Unexpected ${this.describe()}: expected a value.`);
  }

  private object(depth: number): void {
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') {
        if (this.s[this.i] === '}') this.fail('Trailing comma before "}".');
        this.fail(`Expected a property name in double quotes, found ${this.describe()}.`);
      }
      this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail(`Expected ":" after the property name, found ${this.describe()}.`);
      this.i++;
      this.ws();
      this.value(depth + 1);
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        return;
      }
      this.fail(`Expected "," or "}" after a property value, found ${this.describe()}.`);
    }
  }

  private array(depth: number): void {
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] === ']') this.fail('Trailing comma before "]".');
      this.value(depth + 1);
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        return;
      }
      this.fail(`Expected "," or "]" after an array element, found ${this.describe()}.`);
    }
  }

  private string(): void {
    const start = this.i;
    this.i++;
    for (;;) {
      if (this.i >= this.s.length) this.fail('Unterminated string: a closing " is missing.', start);
      const c = this.s[this.i]!;
      if (c === '"') {
        this.i++;
        return;
      }
      if (c === '\\') {
        const e = this.s[this.i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.s.slice(this.i + 2, this.i + 6))) this.fail('Invalid \\u escape: four hex digits are needed.');
          this.i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail(`Invalid escape "\\${e ?? ''}" in a string.`);
        this.i += 2;
        continue;
      }
      if (c < ' ') this.fail(c === '\n' ? 'Line break inside a string (write \\n).' : 'Control character inside a string.');
      this.i++;
    }
  }

  private number(): void {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) this.fail(`Invalid number near ${this.describe()}.`);
    this.i += m[0].length;
    const next = this.s[this.i];
    if (next !== undefined && /[0-9.eE]/.test(next)) this.fail('Invalid number (leading zeros and bare "." are not JSON).');
  }

  private ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i]!)) this.i++;
  }

  private describe(): string {
    if (this.i >= this.s.length) return 'the end of the text';
    const c = this.s[this.i]!;
    if (c === '"') return 'a string';
    if (c === "'") return 'a single quote';
    return c.trim() === '' ? `whitespace (U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})` : `"${c}"`;
  }

  private fail(message: string, offset = this.i): never {
    if (this.i >= this.s.length && !message.includes('end of')) message = `${message.replace(/\.$/, '')} (the text ends too early).`;
    throw new ScanError(message, Math.min(offset, this.s.length));
  }
}

class ScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}
