// The run panel's form → a RunRequest, shared by the webview (to show problems before anything is
// sent) and the host (which checks again and is the one that decides). What a platform takes comes
// from its descriptor (its words, whether it chooses the function, its run options), never from its
// name. No `vscode` import: the webview bundles this file.
import { ParseErrorCode, visit } from 'jsonc-parser';
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
  const at = strictJsonProblem(text);
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
  return looksLikeJsonObject(text) && jsonProblem(text) === undefined ? 'json' : 'text';
}

/** Text that looks like a JSON object must parse; anything else is plain text. */
export function inputProblem(text: string): string | undefined {
  if (text.trim() === '') return 'The input is empty: select some text or type it.';
  if (!looksLikeJsonObject(text)) return undefined;
  const problem = jsonProblem(text);
  return problem ? `The input looks like JSON but does not parse: ${describeJsonProblem(problem)}` : undefined;
}

/** A JSON object text as its object (as `detectInputMode` decides); anything else as the text itself. */
export function parseInput(text: string): RunInput {
  return detectInputMode(text) === 'json' ? (JSON.parse(text) as Record<string, unknown>) : text;
}

function looksLikeJsonObject(text: string): boolean {
  return /^\s*\{/.test(text);
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

// Strict JSON (RFC 8259) on top of jsonc-parser, the parser VS Code uses: comments, trailing commas
// and empty content are turned off, and its error codes become messages worded for where the parser
// was (a property name, a ":", a value, a "," …). What it lets through that JSON does not (leading
// zeros such as 01, any nesting depth) is checked here, and a string's problem is placed on the
// character at fault rather than on its opening quote.

type JsonAt = { message: string; offset: number };

/** What the parser is waiting for, from its events: the context a message is worded for. */
type Expecting = 'value' | 'firstElement' | 'elementAfterComma' | 'firstName' | 'nameAfterComma' | 'colon' | 'nextInObject' | 'nextInArray' | 'end';

class JsonStop extends Error {
  constructor(readonly at: JsonAt) {
    super(at.message);
  }
}

function strictJsonProblem(text: string): JsonAt | undefined {
  if (/^[ \t\n\r]*$/.test(text)) return { message: 'The JSON is empty.', offset: 0 };
  const open: ('object' | 'array')[] = [];
  let expecting: Expecting = 'value';
  const stop = (message: string, offset: number): never => {
    throw new JsonStop({ message, offset: Math.min(offset, text.length) });
  };
  const afterValue = (): Expecting => (open.length === 0 ? 'end' : open[open.length - 1] === 'object' ? 'nextInObject' : 'nextInArray');
  const checkDepth = (offset: number) => {
    if (open.length > MAX_DEPTH) stop('The JSON is nested too deeply.', offset);
  };
  try {
    visit(
      text,
      {
        onObjectBegin: (offset) => {
          checkDepth(offset);
          open.push('object');
          expecting = 'firstName';
        },
        onArrayBegin: (offset) => {
          checkDepth(offset);
          open.push('array');
          expecting = 'firstElement';
        },
        // Also called when the text ends inside the container; the error that follows is about that.
        onObjectEnd: (offset) => {
          if (text[offset] !== '}') return;
          open.pop();
          expecting = afterValue();
        },
        onArrayEnd: (offset) => {
          if (text[offset] !== ']') return;
          open.pop();
          expecting = afterValue();
        },
        onObjectProperty: () => {
          expecting = 'colon';
        },
        onSeparator: (separator) => {
          expecting = separator === ':' ? 'value' : open[open.length - 1] === 'object' ? 'nameAfterComma' : 'elementAfterComma';
        },
        onLiteralValue: (value: unknown, offset) => {
          checkDepth(offset);
          if (typeof value === 'number') {
            const problem = numberProblem(text, offset);
            if (problem) stop(problem.message, problem.offset);
          }
          expecting = afterValue();
        },
        onError: (code, offset, length) => {
          const at = errorAt(text, code, offset, length, expecting, afterValue());
          stop(at.message, at.offset);
        },
      },
      { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
    );
  } catch (error) {
    if (error instanceof JsonStop) return error.at;
    throw error;
  }
  return undefined;
}

/**
 * jsonc-parser's error `code` on the token at `offset`, as a message and the place it is about
 * (`afterValue`: what the parser would expect once a value stood here). A broken string or number
 * where none may stand (`"a" "b\x"`) is reported as out of place, as the parser would once the
 * token were scanned.
 */
function errorAt(text: string, code: ParseErrorCode, offset: number, length: number, expecting: Expecting, afterValue: Expecting): JsonAt {
  const valueMayStand = expecting === 'value' || expecting === 'firstElement' || expecting === 'elementAfterComma';
  const nameMayStand = expecting === 'firstName' || expecting === 'nameAfterComma';
  switch (code) {
    case ParseErrorCode.UnexpectedEndOfString:
    case ParseErrorCode.InvalidUnicode:
    case ParseErrorCode.InvalidEscapeCharacter:
    case ParseErrorCode.InvalidCharacter:
      if (valueMayStand || nameMayStand) return stringProblem(text, offset);
      break;
    case ParseErrorCode.UnexpectedEndOfNumber:
    case ParseErrorCode.InvalidNumberFormat:
      if (valueMayStand) return numberProblem(text, offset) ?? { message: `Invalid number ${found(text, offset, length)}.`, offset };
      break;
    case ParseErrorCode.InvalidCommentToken:
    case ParseErrorCode.UnexpectedEndOfComment:
      return { message: 'Comments are not allowed in JSON.', offset };
    case ParseErrorCode.InvalidSymbol: {
      // A literal with something stuck to it (`truex`, `null\u0001`): the literal is fine, what follows is not.
      const literal = valueMayStand ? /^(?:true|false|null)/.exec(text.slice(offset, offset + length)) : null;
      if (literal) {
        const after = offset + literal[0].length;
        return { message: grammarMessage(text, after, 1, afterValue), offset: after };
      }
      break;
    }
  }
  // PropertyNameExpected, ValueExpected, ColonExpected, CommaExpected, CloseBraceExpected,
  // CloseBracketExpected, EndOfFileExpected, InvalidSymbol: said from where the parser was.
  return { message: grammarMessage(text, offset, length, expecting), offset };
}

function grammarMessage(text: string, offset: number, length: number, expecting: Expecting): string {
  const c = text[offset];
  const what = found(text, offset, length);
  switch (expecting) {
    case 'value':
    case 'firstElement':
    case 'elementAfterComma':
      if (c === ']' && expecting === 'elementAfterComma') return 'Trailing comma before "]".';
      if (c === "'") return 'Strings must use double quotes (").';
      if (c === '-') return 'Invalid number: "-" must be followed by a digit.';
      return `Unexpected ${what}: expected a value.`;
    case 'firstName':
    case 'nameAfterComma':
      if (c === '}' && expecting === 'nameAfterComma') return 'Trailing comma before "}".';
      return `Expected a property name in double quotes, found ${what}.`;
    case 'colon':
      return `Expected ":" after the property name, found ${what}.`;
    case 'nextInObject':
      return `Expected "," or "}" after a property value, found ${what}.`;
    case 'nextInArray':
      return `Expected "," or "]" after an array element, found ${what}.`;
    case 'end':
      return `Unexpected ${what} after the end of the JSON value.`;
  }
}

/** The token at `offset` in words: "a string", "the end of the text", "\"x\"", "\"yes\"". */
function found(text: string, offset: number, length: number): string {
  if (offset >= text.length) return 'the end of the text';
  const code = text.codePointAt(offset)!;
  const c = String.fromCodePoint(code);
  if (c === '"') return 'a string';
  if (c === "'") return 'a single quote';
  if (c.trim() === '') return `whitespace (${codePoint(code)})`;
  if (code < 0x20 || code === 0x7f) return `a control character (${codePoint(code)})`;
  if (code >= 0xd800 && code <= 0xdfff) return `an unpaired surrogate (${codePoint(code)})`;
  const word = text.slice(offset, offset + length);
  if (/^[\w$+.-]{2,}$/.test(word)) return `"${word.length > 24 ? `${word.slice(0, 24)}…` : word}"`;
  return `"${c}"`;
}

function codePoint(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Where the number at `start` stops being a JSON number (jsonc-parser takes `01` as 0 then 1, and
 * `1.5.2` as 1.5 then ".2"); undefined when it ends cleanly.
 */
function numberProblem(text: string, start: number): JsonAt | undefined {
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  number.lastIndex = start;
  const match = number.exec(text);
  if (!match) return { message: 'Invalid number: "-" must be followed by a digit.', offset: start };
  const end = start + match[0].length;
  const next = text[end];
  if (next === undefined) return undefined;
  if (next >= '0' && next <= '9') return { message: 'Invalid number: leading zeros are not allowed.', offset: end };
  const hasFraction = match[0].includes('.');
  const hasExponent = /[eE]/.test(match[0]);
  if (next === '.') {
    return { message: hasFraction || hasExponent ? 'Invalid number: unexpected ".".' : 'Invalid number: a digit must follow ".".', offset: end };
  }
  if (next === 'e' || next === 'E') {
    return { message: hasExponent ? `Invalid number: unexpected "${next}".` : 'Invalid number: the exponent needs digits.', offset: end };
  }
  return undefined;
}

const ESCAPES: Record<number, string> = { 0x08: '\\b', 0x09: '\\t', 0x0c: '\\f' };

/** The first problem in the string that starts (with its `"`) at `start`. */
function stringProblem(text: string, start: number): JsonAt {
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return { message: 'Invalid string.', offset: start };
    if (code === 0x0a || code === 0x0d) return { message: 'Line break inside a string (write \\n).', offset: i };
    if (code < 0x20) {
      const escape = ESCAPES[code] ?? `\\u${code.toString(16).padStart(4, '0')}`;
      return { message: `Control character ${codePoint(code)} inside a string (write ${escape}).`, offset: i };
    }
    if (code !== 0x5c) continue;
    const e = text[i + 1];
    if (e === undefined) break;
    if (e === 'u') {
      if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { message: 'Invalid \\u escape: four hex digits are needed.', offset: i };
      i += 5;
    } else if ('"\\/bfnrt'.includes(e)) {
      i++;
    } else if (e === '\n' || e === '\r') {
      return { message: 'Line break inside a string (write \\n).', offset: i + 1 };
    } else {
      return { message: `Invalid escape "\\${e}" in a string.`, offset: i };
    }
  }
  return { message: 'Unterminated string: a closing " is missing.', offset: start };
}
