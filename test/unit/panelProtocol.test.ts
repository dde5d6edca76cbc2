// The run panel's message protocol, its form checks, its recent runs and its HTML, in plain Node.
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import type { RunResult } from '../../src/core/model';
import { contentSecurityPolicy, newNonce } from '../../src/vscode/base/webviewHtml';
import { renderPanelHtml } from '../../src/vscode/panel/html';
import { CODICONS } from '../../webview/codicons';
import {
  hostMessageSchema,
  insertionText,
  panelStateSchema,
  parseHostMessage,
  parseWebviewMessage,
  resultHeadline,
  toResultView,
  type HostMessage,
  type RunForm,
  type WebviewMessage,
} from '../../src/shared/panelProtocol';
import { MAX_ENTRY_CHARS, MAX_RECENT_RUNS, RecentRuns } from '../../src/vscode/panel/recentRuns';
import { buildRunRequest, detectInputMode, inputProblem, jsonProblem, lineAndColumn, parseInput } from '../../src/shared/runInput';
import { toPanelDescriptor } from '../../src/vscode/panel/panelDescriptor';
import { SUTRO } from '../../src/platforms/sutro/descriptor';
import { NYCKEL } from '../../src/platforms/nyckel/descriptor';
import { INFERABLE } from '../../src/platforms/inferable/descriptor';

const form = (over: Partial<RunForm> = {}): RunForm => ({
  platform: 'sutro',
  function: 'lead-qualifier',
  inputMode: 'text',
  input: 'We have budget and want a demo',
  fields: {},
  options: {},
  ...over,
});

const view = {
  platform: 'sutro' as const,
  function: 'lead-qualifier',
  kind: 'classification' as const,
  label: 'qualified',
  confidence: 0.91,
  predictions: [
    { label: 'qualified', confidence: 0.91 },
    { label: 'not_qualified', confidence: 0.09 },
  ],
  durationMs: 412,
};

const platformEntry = { platform: 'sutro' as const, descriptor: toPanelDescriptor(SUTRO), hasKey: true, loading: false, functions: [{ id: 'lead-qualifier', name: 'lead-qualifier', inputFields: ['query', 'region'], recent: true }] };

function accepts(message: unknown): void {
  const parsed = parseWebviewMessage(message);
  assert.ok(parsed.ok, `expected to accept ${JSON.stringify(message)}: ${parsed.ok ? '' : parsed.reason}`);
}

function rejects(message: unknown): string {
  const parsed = parseWebviewMessage(message);
  assert.ok(!parsed.ok, `expected to reject ${JSON.stringify(message)}`);
  return parsed.reason;
}

describe('run panel protocol', () => {
  describe('webview → host', () => {
    it('accepts every documented message', () => {
      const valid: WebviewMessage[] = [
        { type: 'ready' },
        { type: 'run', runId: 'w0123abc', form: form() },
        { type: 'run', runId: 'w1', form: form({ platform: 'inferable', function: '', options: { resultSchema: '{"type":"object"}' } }) },
        { type: 'run', runId: 'w2', form: form({ platform: 'nyckel', function: 'function_x', options: { labelCount: '2', capture: false, metadata: '{"a":"b"}' } }) },
        { type: 'cancel', runId: 'w1' },
        { type: 'select', platform: 'nyckel', function: 'function_x' },
        { type: 'select' },
        { type: 'copyResult', runId: 'w1' },
        { type: 'insertResult', runId: 'w1' },
        { type: 'openRaw', runId: 'w1' },
        { type: 'openRecent', id: 'r1' },
        { type: 'rerun', id: 'r1' },
        { type: 'clearRecentRuns' },
        { type: 'setApiKey', platform: 'sutro' },
        { type: 'openSettings' },
        { type: 'showLog' },
        { type: 'refreshFunctions' },
        { type: 'refreshFunctions', platform: 'inferable' },
        { type: 'log', level: 'warn', message: 'something' },
      ];
      for (const message of valid) accepts(message);
    });

    it('rejects unknown types, missing types and non-objects', () => {
      assert.match(rejects({ type: 'deleteEverything' }), /deleteEverything/);
      rejects({ type: 'READY' });
      rejects({});
      rejects('ready');
      rejects(null);
      rejects(undefined);
      rejects([{ type: 'ready' }]);
    });

    it('rejects malformed messages of known types', () => {
      rejects({ type: 'ready', extra: true });
      rejects({ type: 'run', runId: 'w1' });
      rejects({ type: 'run', runId: '../../etc', form: form() });
      rejects({ type: 'run', runId: 'w1', form: { ...form(), platform: 'openai' } });
      rejects({ type: 'run', runId: 'w1', form: { ...form(), apiKey: 'sk_test_123' } });
      rejects({ type: 'run', runId: 'w1', form: { ...form(), options: { labelCount: 3 } } });
      rejects({ type: 'run', runId: 'w1', form: { ...form(), input: 'x'.repeat(1_000_001) } });
      rejects({ type: 'cancel' });
      rejects({ type: 'setApiKey', platform: 'sutro', apiKey: 'sk_test_123' });
      rejects({ type: 'setApiKey' });
      rejects({ type: 'copyResult', runId: 42 });
      rejects({ type: 'log', level: 'debug', message: 'x' });
      rejects({ type: 'log', level: 'info', message: 'x'.repeat(2000) });
    });

    it('does not echo the rejected content in the reason', () => {
      const reason = rejects({ type: 'run', runId: 'w1', form: { ...form(), input: 42, secret: 'sk_test_abcdef' } });
      assert.doesNotMatch(reason, /sk_test_abcdef/);
    });
  });

  describe('host → webview', () => {
    it('accepts every documented message', () => {
      const valid: HostMessage[] = [
        { type: 'init', platforms: [platformEntry], recentRuns: [], insertTarget: null },
        {
          type: 'init',
          platforms: [platformEntry],
          recentRuns: [{ id: 'r1', at: 1, platform: 'sutro', function: 'x', functionName: 'x', inputPreview: 'in', headline: 'ok', ok: true, rerunnable: true }],
          insertTarget: 'notes.md:3',
          running: { runId: 'r2', platform: 'sutro', function: 'x' },
          prefill: { platform: 'sutro', function: 'x', input: '{}', inputMode: 'json', focus: 'input', result: { runId: 'r1', view } },
          state: { version: 1, form: { inputMode: 'text', input: '', fields: {}, options: {} }, optionsOpen: false },
        },
        { type: 'platforms', platforms: [platformEntry, { platform: 'nyckel', descriptor: toPanelDescriptor(NYCKEL), hasKey: false, loading: false, functions: [] }] },
        { type: 'prefill', prefill: {} },
        { type: 'running', runId: 'r1', platform: 'inferable', function: '' },
        { type: 'result', runId: 'r1', view },
        { type: 'result', runId: 'r1', view: { ...view, kind: 'extraction', label: undefined, output: { company: 'Acme', nested: { a: [1, 2] } }, usage: { inputTokens: 10, costUsd: 0.001 } } },
        { type: 'error', runId: 'r1', error: { kind: 'auth', message: 'Sutro rejected the API key (401).', platform: 'sutro', actions: ['setApiKey', 'showLog'] } },
        { type: 'error', error: { kind: 'invalidInput', message: 'Expected ","', field: 'input', line: 2, column: 5, offset: 9, actions: [] } },
        { type: 'cancelled', runId: 'r1' },
        { type: 'recentRuns', runs: [] },
        { type: 'insertTarget', label: null },
        { type: 'notice', text: 'Copied.', level: 'info' },
      ];
      for (const message of valid) {
        const parsed = parseHostMessage(message);
        assert.ok(parsed.ok, `${message.type}: ${parsed.ok ? '' : parsed.reason}`);
      }
    });

    it('rejects unknown and malformed messages', () => {
      for (const message of [
        { type: 'eval', code: 'alert(1)' },
        { type: 'result', runId: 'r1' },
        { type: 'result', runId: 'r1', view: { ...view, kind: 'poem' } },
        { type: 'result', runId: 'r1', view: { ...view, confidence: 'high' } },
        { type: 'result', runId: 'r1', view: { ...view, raw: { secret: true } } },
        { type: 'error', error: { kind: 'auth', message: 'x', actions: ['rm -rf'] } },
        { type: 'error', error: { kind: 'auth', message: 'x', actions: [], stack: 'Error: x\n    at y' } },
        { type: 'notice', text: 'x', level: 'debug' },
        { type: 'init', platforms: [], recentRuns: [] },
        { type: 'platforms', platforms: [{ ...platformEntry, apiKey: 'sk_test' }] },
        'result',
        null,
      ]) {
        assert.equal(parseHostMessage(message).ok, false, JSON.stringify(message));
      }
    });
  });

  describe('panel state', () => {
    it('accepts a saved state and refuses a foreign one', () => {
      const state = { version: 1, form: { platform: 'sutro', function: 'lead-qualifier', inputMode: 'fields', input: '', fields: { query: 'x' }, options: {} }, optionsOpen: true, result: { runId: 'r1', view } };
      assert.ok(panelStateSchema.safeParse(state).success);
      assert.equal(panelStateSchema.safeParse({ ...state, version: 2 }).success, false);
      assert.equal(panelStateSchema.safeParse({ version: 1 }).success, false);
      assert.equal(panelStateSchema.safeParse('state').success, false);
    });
  });

  describe('toResultView', () => {
    it('keeps what the panel shows, drops raw, and makes odd values valid', () => {
      const result: RunResult = {
        platform: 'sutro',
        function: 'lead-qualifier',
        kind: 'classification',
        label: 'x'.repeat(20_000),
        confidence: Number.NaN,
        predictions: [
          { label: 'a', confidence: 0.5 },
          { label: 'b', confidence: Number.POSITIVE_INFINITY },
        ],
        output: { when: new Date(0), fn: () => 1 },
        usage: { inputTokens: -1, outputTokens: 4 },
        durationMs: 12,
        raw: { secret: 'raw' },
      };
      const shown = toResultView(result, 'Lead qualifier');
      assert.equal(hostMessageSchema.safeParse({ type: 'result', runId: 'r1', view: shown }).success, true);
      assert.equal(shown.label?.length, 10_000);
      assert.equal(shown.confidence, undefined);
      assert.deepEqual(shown.predictions, [{ label: 'a', confidence: 0.5 }]);
      assert.deepEqual(shown.output, { when: '1970-01-01T00:00:00.000Z' });
      assert.deepEqual(shown.usage, { outputTokens: 4 });
      assert.equal('raw' in shown, false);
      assert.equal(shown.functionName, 'Lead qualifier');
    });

    it('gives a headline and the text to insert', () => {
      assert.equal(resultHeadline(view), 'qualified · 91%');
      assert.equal(insertionText(view), 'qualified');
      const extraction = { ...view, kind: 'extraction' as const, label: undefined, confidence: undefined, output: { company: 'Acme' } };
      assert.equal(resultHeadline(extraction), '1 field');
      assert.equal(insertionText(extraction), '{\n  "company": "Acme"\n}');
      assert.equal(resultHeadline({ ...view, kind: 'run', label: undefined, status: 'done' }), 'done');
    });
  });
});

describe('run panel input', () => {
  it('finds where JSON breaks, with line and column', () => {
    assert.equal(jsonProblem('{"a": [1, 2, {"b": null}], "c": "\\u00e9"}'), undefined);
    const missingColon = jsonProblem('{\n  "query": "x",\n  "region" "APAC"\n}');
    assert.deepEqual({ line: missingColon?.line, column: missingColon?.column }, { line: 3, column: 12 });
    assert.match(missingColon?.message ?? '', /Expected ":"/);
    const trailing = jsonProblem('{"a": 1,}');
    assert.match(trailing?.message ?? '', /Trailing comma/);
    assert.equal(trailing?.column, 9);
    const unterminated = jsonProblem('{"a": "b');
    assert.match(unterminated?.message ?? '', /Unterminated string/);
    assert.equal(unterminated?.column, 7);
    assert.match(jsonProblem("{'a': 1}")?.message ?? '', /property name in double quotes/);
    assert.match(jsonProblem('{"a": 01}')?.message ?? '', /Invalid number/);
    assert.match(jsonProblem('{} x')?.message ?? '', /after the end/);
    assert.match(jsonProblem('   ')?.message ?? '', /empty/);
    assert.ok(jsonProblem('{"a": "line\nbreak"}'));
  });

  it('agrees with JSON.parse on what is valid', () => {
    const samples = ['{}', '[]', '"x"', '1e5', '-0.5', 'true', '{"a":{"b":[{}]}}', '[1,]', '{,}', '{"a"}', 'nul', '.5', '1.', '"\\x"', '[1 2]', '{"a":1 "b":2}'];
    for (const sample of samples) {
      let parses = true;
      try {
        JSON.parse(sample);
      } catch {
        parses = false;
      }
      assert.equal(jsonProblem(sample) === undefined, parses, sample);
    }
  });

  it('refuses what the underlying parser (jsonc-parser) lets through but JSON does not', () => {
    const at = (text: string) => {
      const problem = jsonProblem(text);
      return problem && { line: problem.line, column: problem.column, message: problem.message };
    };
    assert.deepEqual(at('{"a": 01}'), { line: 1, column: 8, message: 'Invalid number: leading zeros are not allowed.' });
    assert.match(at('[-01]')?.message ?? '', /leading zeros/);
    assert.match(at('[1.5.2]')?.message ?? '', /Invalid number/);
    assert.deepEqual(at('{"a": 1 // why\n}'), { line: 1, column: 9, message: 'Comments are not allowed in JSON.' });
    assert.deepEqual(at('/* c */ {}'), { line: 1, column: 1, message: 'Comments are not allowed in JSON.' });
    assert.deepEqual(at('[1,]'), { line: 1, column: 4, message: 'Trailing comma before "]".' });
    assert.deepEqual(at('{"a": "x\ty"}'), { line: 1, column: 9, message: 'Control character U+0009 inside a string (write \\t).' });
    assert.deepEqual(at('{\n  "a": "x\ny"\n}'), { line: 2, column: 10, message: 'Line break inside a string (write \\n).' });
    assert.deepEqual(at('{"a": "x\ry"}'), { line: 1, column: 9, message: 'Line break inside a string (write \\n).' });
    assert.deepEqual(at('"\\q"'), { line: 1, column: 2, message: 'Invalid escape "\\q" in a string.' });
    assert.deepEqual(at('"ok \\u12g4"'), { line: 1, column: 5, message: 'Invalid \\u escape: four hex digits are needed.' });
    assert.deepEqual(at('\ufeff{}'), { line: 1, column: 1, message: 'Unexpected whitespace (U+FEFF): expected a value.' });
    assert.equal(jsonProblem('{}\u00a0')?.message, 'Unexpected whitespace (U+00A0) after the end of the JSON value.');
    // Lone surrogates are valid JSON text (RFC 8259's grammar allows them) and JSON.parse takes them.
    assert.equal(jsonProblem('["\\ud800", "\ud800"]'), undefined);
  });

  it('limits nesting to 256 levels without overflowing the stack', () => {
    assert.equal(jsonProblem('['.repeat(256) + '1' + ']'.repeat(256)), undefined);
    const deep = jsonProblem('['.repeat(257) + '1' + ']'.repeat(257));
    assert.deepEqual({ message: deep?.message, column: deep?.column }, { message: 'The JSON is nested too deeply.', column: 258 });
    assert.match(jsonProblem('{"a":'.repeat(300) + '1' + '}'.repeat(300))?.message ?? '', /nested too deeply/);
    assert.match(jsonProblem('['.repeat(1_000_000))?.message ?? '', /nested too deeply/);
  });

  it('words each problem for where it is, with the token found', () => {
    const message = (text: string) => jsonProblem(text)?.message;
    assert.equal(message('{"a": yes}'), 'Unexpected "yes": expected a value.');
    assert.equal(message('{"a": truex}'), 'Expected "," or "}" after a property value, found "x".');
    assert.equal(message("{\"a\": 'x'}"), 'Strings must use double quotes (").');
    assert.equal(message('{"a": -}'), 'Invalid number: "-" must be followed by a digit.');
    assert.equal(message('[1e]'), 'Invalid number: the exponent needs digits.');
    assert.equal(message('[1.]'), 'Invalid number: a digit must follow ".".');
    assert.equal(message('{"a": 1 "b": 2}'), 'Expected "," or "}" after a property value, found a string.');
    assert.equal(message('[1 2]'), 'Expected "," or "]" after an array element, found "2".');
    assert.equal(message('{"a" 1}'), 'Expected ":" after the property name, found "1".');
    assert.equal(message('{1: 2}'), 'Expected a property name in double quotes, found "1".');
    assert.equal(message('{,}'), 'Expected a property name in double quotes, found ",".');
    assert.equal(message('{"a": 1'), 'Expected "," or "}" after a property value, found the end of the text.');
    assert.equal(message('[1, '), 'Unexpected the end of the text: expected a value.');
    assert.equal(message('{"a": 1}}'), 'Unexpected "}" after the end of the JSON value.');
    assert.equal(message(''), 'The JSON is empty.');
    // A broken string where no string may stand is out of place first.
    const misplaced = jsonProblem('{"a" "b\\x"}');
    assert.deepEqual({ column: misplaced?.column, message: misplaced?.message }, { column: 6, message: 'Expected ":" after the property name, found a string.' });
    const unterminated = jsonProblem('{\n  "a": "b\\"}');
    assert.deepEqual({ line: unterminated?.line, column: unterminated?.column, message: unterminated?.message }, { line: 2, column: 8, message: 'Unterminated string: a closing " is missing.' });
  });

  it('agrees with JSON.parse on what is valid, over many edits of valid JSON', () => {
    const bases = ['{"a": [1, 2.5e-3, {"b": null}], "c": "\\u00e9\\n", "d": true, "e": false, "f": -0}', '[{"x":"y"},[],{},"s\\"q",0,1e10]'];
    const pieces = ['{', '}', '[', ']', ',', ':', '"', "'", '\\', 'u', '0', '1', '.', 'e', '-', '+', ' ', '\n', '\r', '\t', 'true', 'null', '/', '*', '\u0001', '\u00a0', '\ud800', 'x'];
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let k = 0; k < 5000; k++) {
      let text = bases[random(bases.length)]!;
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const i = random(text.length + 1);
        const op = random(3);
        text = text.slice(0, i) + (op === 0 ? '' : pieces[random(pieces.length)]) + text.slice(op === 1 ? i : i + 1);
      }
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      const problem = jsonProblem(text);
      assert.equal(problem === undefined, parses, JSON.stringify(text));
      if (problem) assert.ok(problem.offset >= 0 && problem.offset <= text.length && problem.message, JSON.stringify(text));
    }
  });

  it('checks and reads quick-run input: a JSON object if it looks like one, text otherwise', () => {
    assert.equal(inputProblem(' \n'), 'The input is empty: select some text or type it.');
    assert.equal(inputProblem('plain words'), undefined);
    assert.equal(inputProblem('[1, 2'), undefined);
    assert.equal(inputProblem('{"query": "demo"}'), undefined);
    assert.equal(
      inputProblem('{\n  "query": "x",\n  "region" "APAC"\n}'),
      'The input looks like JSON but does not parse: Line 3, column 12: Expected ":" after the property name, found a string.',
    );
    assert.deepEqual(parseInput(' {"query": "demo", "n": [1]}'), { query: 'demo', n: [1] });
    assert.equal(parseInput('[1, 2]'), '[1, 2]');
    assert.equal(parseInput('"quoted"'), '"quoted"');
    assert.equal(parseInput('{not json'), '{not json');
  });

  it('counts lines across CRLF', () => {
    assert.deepEqual(lineAndColumn('a\r\nbc', 4), { line: 2, column: 2 });
  });

  it('detects text and JSON selections', () => {
    assert.equal(detectInputMode('{"query": "x"}'), 'json');
    assert.equal(detectInputMode('  {\n "a": 1 }'), 'json');
    assert.equal(detectInputMode('{not json'), 'text');
    assert.equal(detectInputMode('[1, 2]'), 'text');
    assert.equal(detectInputMode('plain words'), 'text');
  });

  it('builds requests and reports the first problem', () => {
    assert.deepEqual(buildRunRequest(form(), SUTRO), { ok: true, request: { platform: 'sutro', function: 'lead-qualifier', input: 'We have budget and want a demo' } });
    const fields = buildRunRequest(form({ inputMode: 'fields', fields: { query: 'demo', region: 'APAC', stray: 'x' } }), SUTRO, ['query', 'region']);
    assert.deepEqual(fields.ok && fields.request.input, { query: 'demo', region: 'APAC' });
    const json = buildRunRequest(form({ inputMode: 'json', input: '{"query": "demo"}' }), SUTRO);
    assert.deepEqual(json.ok && json.request.input, { query: 'demo' });

    const bad = buildRunRequest(form({ inputMode: 'json', input: '{"query": "demo",\n}' }), SUTRO);
    assert.equal(bad.ok, false);
    assert.deepEqual(!bad.ok && { field: bad.problem.field, line: bad.problem.line }, { field: 'input', line: 2 });
    const notObject = buildRunRequest(form({ inputMode: 'json', input: '[1]' }), SUTRO);
    assert.match(!notObject.ok ? notObject.problem.message : '', /must be an object/);
    assert.equal(buildRunRequest(form({ input: '  ' }), SUTRO).ok, false);
    assert.equal(buildRunRequest(form({ function: ' ' }), SUTRO).ok, false);
    const emptyFields = buildRunRequest(form({ inputMode: 'fields', fields: { query: '', region: ' ' } }), SUTRO, ['query', 'region']);
    assert.equal(!emptyFields.ok && emptyFields.problem.field, 'field:query');
  });

  it('lets Inferable choose its function and checks the result schema', () => {
    const schema = '{"type": "object", "properties": {"total": {"type": "number"}}}';
    const ok = buildRunRequest(form({ platform: 'inferable', function: '', options: { resultSchema: schema } }), INFERABLE);
    assert.deepEqual(ok.ok && ok.request, { platform: 'inferable', function: '', input: 'We have budget and want a demo', options: { resultSchema: JSON.parse(schema) } });
    const broken = buildRunRequest(form({ platform: 'inferable', function: '', options: { resultSchema: '{"type": "object",' } }), INFERABLE);
    assert.equal(!broken.ok && broken.problem.field, 'resultSchema');
    const wrongType = buildRunRequest(form({ platform: 'inferable', function: '', options: { resultSchema: '{"type": "thing"}' } }), INFERABLE);
    assert.match(!wrongType.ok ? wrongType.problem.message : '', /"type" must be one of/);
    // Options of another platform are not sent.
    const sutro = buildRunRequest(form({ options: { resultSchema: schema, labelCount: '2' } }), SUTRO);
    assert.equal(sutro.ok && sutro.request.options, undefined);
  });

  it('converts and checks the Nyckel options', () => {
    const nyckel = buildRunRequest(
      form({ platform: 'nyckel', function: 'function_x', options: { labelCount: ' 3 ', includeMetadata: true, capture: false, modelId: ' m1 ', externalId: 'e-1', metadata: '{"source": "vscode"}' } }),
      NYCKEL,
    );
    assert.deepEqual(nyckel.ok && nyckel.request.options, { labelCount: 3, includeMetadata: true, capture: false, modelId: 'm1', externalId: 'e-1', metadata: { source: 'vscode' } });
    const defaults = buildRunRequest(form({ platform: 'nyckel', function: 'function_x', options: { capture: true, includeMetadata: false, labelCount: '' } }), NYCKEL);
    assert.equal(defaults.ok && defaults.request.options, undefined);
    assert.equal(buildRunRequest(form({ platform: 'nyckel', function: 'f', options: { labelCount: '0' } }), NYCKEL).ok, false);
    assert.equal(buildRunRequest(form({ platform: 'nyckel', function: 'f', options: { labelCount: '2.5' } }), NYCKEL).ok, false);
    const metadata = buildRunRequest(form({ platform: 'nyckel', function: 'f', options: { metadata: '{"n": 1}' } }), NYCKEL);
    assert.equal(!metadata.ok && metadata.problem.field, 'metadata');
  });
});

class MemoryMemento implements vscode.Memento {
  readonly values = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  get<T>(key: string, defaultValue?: T): T {
    return (this.values.has(key) ? this.values.get(key) : defaultValue) as T;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, JSON.parse(JSON.stringify(value)));
  }
}

describe('run panel recent runs', () => {
  it('keeps the newest first, replaces a repeated form, caps the list and survives a new instance', async () => {
    const memento = new MemoryMemento();
    const runs = new RecentRuns(memento);
    await runs.add({ id: 'r1', at: 1, form: form(), functionName: 'lead-qualifier', result: { view, raw: { x: 1 } } });
    await runs.add({ id: 'r2', at: 2, form: form({ input: 'other' }), functionName: 'lead-qualifier', error: { kind: 'auth', message: 'Rejected.', actions: ['setApiKey'] } });
    await runs.add({ id: 'r3', at: 3, form: form(), functionName: 'lead-qualifier', result: { view } });
    const again = new RecentRuns(memento);
    assert.deepEqual(again.list().map((r) => r.id), ['r3', 'r2']);
    const [first, second] = again.summaries();
    assert.equal(first?.headline, 'qualified · 91%');
    assert.equal(second?.ok, false);
    assert.equal(second?.headline, 'Rejected.');
    for (let i = 0; i < MAX_RECENT_RUNS + 10; i++) await runs.add({ id: `n${i}`, form: form({ input: `input ${i}` }), functionName: 'x', result: { view } });
    assert.equal(runs.list().length, MAX_RECENT_RUNS);
    await runs.clear();
    assert.deepEqual(runs.list(), []);
  });

  it('drops entries that no longer parse and shrinks very large ones', async () => {
    const memento = new MemoryMemento();
    await memento.update('aiFunctions.recentRuns', [{ id: 'bad' }, 'junk']);
    const runs = new RecentRuns(memento);
    assert.deepEqual(runs.list(), []);
    const big = 'y'.repeat(MAX_ENTRY_CHARS);
    await runs.add({ id: 'big', form: form({ input: big }), functionName: 'x', result: { view, raw: { big } } });
    const [entry] = runs.list();
    assert.ok(JSON.stringify(entry).length <= MAX_ENTRY_CHARS + 5_000);
    assert.equal(entry?.inputTruncated, true);
    assert.equal(runs.summaries()[0]?.rerunnable, false);
  });
});

describe('run panel HTML', () => {
  it('has a strict CSP, one script carrying the nonce, and no inline script, style or handler', () => {
    const nonce = newNonce();
    assert.match(nonce, /^[A-Za-z0-9+/]{32}$/);
    assert.notEqual(newNonce(), nonce);
    const html = renderPanelHtml({ cspSource: 'https://x.vscode-cdn.net', nonce, scriptUri: 'https://x/dist/webview.js', appScriptUri: 'https://x/dist/panelApp.js', styleUri: 'https://x/dist/runPanel.css' });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    assert.equal(csp, contentSecurityPolicy('https://x.vscode-cdn.net', nonce));
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce.replace(/[+/]/g, '\\$&')}'`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.ok(scripts[0]?.includes(`nonce="${nonce}"`) && scripts[0].includes('src="https://x/dist/webview.js"'));
    // The panel's own script is loaded by that one, with the same nonce (webview/main.ts).
    assert.ok(scripts[0]?.includes('data-app="https://x/dist/panelApp.js"'));
    assert.doesNotMatch(html, /<script[^>]*>[^<]+<\/script>/);
    assert.doesNotMatch(html, /\son[a-z]+=/i);
    assert.doesNotMatch(html, /\sstyle=/i);
    assert.doesNotMatch(html, /<style/i);
  });

  it('shows only the codicons the build ships (webview/codicons.ts)', () => {
    const html = renderPanelHtml({ cspSource: 'https://x.vscode-cdn.net', nonce: newNonce(), scriptUri: 'https://x/dist/webview.js', appScriptUri: 'https://x/dist/panelApp.js', styleUri: 'https://x/dist/runPanel.css' });
    const shown = [...html.matchAll(/\bcodicon-([a-z0-9-]+)/g)].map(([, name]) => name!).filter((name) => !name.startsWith('modifier-'));
    assert.ok(shown.length > 0);
    for (const name of shown) assert.ok((CODICONS as readonly string[]).includes(name), `codicon-${name} is not in webview/codicons.ts`);
  });
});
