// The base class of the platform emulators: it composes the loopback server (http.ts), recording
// and statistics (recording.ts), faults (faults.ts), limits (limits.ts), the control endpoints
// (control.ts), the platform knobs (knobs.ts) and hostile mode (hostile.ts). A platform extends
// it with its routes (`handle()`), its error body, its state and its knob table.
//
// Per API request, in this order:
//   1. record it (control requests under /__emulator/ are never recorded nor counted);
//   2. pick at most one answering fault (see faults.ts);
//   3. if no fault fired, apply the emulator's own limits (Nyckel: 25/s and 25 in flight);
//   4. wait the configured latency (it delays every answer, faults and 429s included);
//   5. answer: the fault, or the platform handler's reply (auth, validation, state), finished by
//      hostile mode and the `deepNesting` fault.

import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { CONTROL_PREFIX, controlReply } from './control';
import { Faults, MALFORMED_BODY, STATUS_MESSAGES, type Decision, type FaultControl, type ShapingKind } from './faults';
import { credentialsOf, deepNestingPlaceholder, expandDeepNesting, ODD_IDS, poisonBody, type HostileFields } from './hostile';
import { LoopbackServer, parseRequest, readBody, segmentsOf, writeReply, type ApiRequest, type ParsedRequest, type Reply } from './http';
import type { PlatformKnobs } from './knobs';
import { checkLimits, type Limits } from './limits';
import { Recorder, Traffic, type EmulatorStats, type RecordedRequest } from './recording';

export interface EmulatorOptions {
  /** 0 (default) = a random free port. */
  port?: number;
  host?: string;
  /** Keep request bodies in `requests` (default true). */
  recordBodies?: boolean;
  /** Keep at most this many recorded requests; past it the oldest 10% are dropped (default 100,000). */
  maxRecorded?: number;
  /** Hostile-server mode from the start (see hostile.ts; default false). */
  hostile?: boolean;
}

export abstract class Emulator {
  /** Platform name, for messages. */
  abstract readonly name: string;
  url = '';
  port: number;
  readonly host: string;
  readonly faults: FaultControl;
  /** The emulator's own limits (none by default; Nyckel sets 25/s and 25 in flight). */
  limits: Limits | undefined;
  /** Hostile-server mode (see hostile.ts); `reset()` restores the start-up value. */
  hostile: boolean;

  private readonly server = new LoopbackServer((req, res) => this.onRequest(req, res));
  private readonly recorder: Recorder;
  private readonly traffic = new Traffic();
  private readonly faultState = new Faults();
  private readonly startHostile: boolean;
  /** Requests whose reply holds a `deepNesting` placeholder. */
  private readonly deepReplies = new WeakSet<RecordedRequest>();

  constructor(options: EmulatorOptions = {}) {
    this.port = options.port ?? 0;
    this.host = options.host ?? '127.0.0.1';
    this.recorder = new Recorder(options.recordBodies ?? true, options.maxRecorded ?? 100_000);
    this.faults = this.faultState;
    this.hostile = this.startHostile = options.hostile ?? false;
  }

  // ---- what a platform implements

  /** Answers an API request that passed the faults and limits. */
  protected abstract handle(req: ApiRequest): Reply | Promise<Reply>;
  /** The platform's error body for a status and message (e.g. `{detail}`, `{message}`). */
  protected abstract errorBody(status: number, message: string, path: string): unknown;
  /** Restores the seeded state and the knobs given at start. */
  protected abstract resetState(): void;
  /** The platform's knobs (see knobs.ts). */
  protected abstract readonly knobs: PlatformKnobs;
  /** Extra statistics (merged into `stats()`). */
  protected extraStats(): Record<string, unknown> {
    return {};
  }
  /** A 200 JSON body that lacks the fields a client requires (the `wrongShape` fault). */
  protected wrongShapeBody(_path: string): unknown {
    return { unexpected: true };
  }
  /** The reply fields hostile mode rewrites (see hostile.ts). */
  protected readonly hostileFields: HostileFields = { text: ['message'], error: ['message'] };

  // ---- lifecycle

  /** Starts listening (again, on the same port, after `stop()`). Resolves once the URL is known. */
  async start(): Promise<this> {
    if (this.server.listening) return this;
    this.port = await this.server.listen(this.port, this.host);
    this.url = `http://${this.host}:${this.port}`;
    return this;
  }

  /** Stops listening and destroys open sockets (hung requests included). State is kept. */
  close(): Promise<void> {
    return this.server.close();
  }

  /** Same as `close()`: the server really stops (connections are refused) until `start()`. */
  stop(): Promise<void> {
    return this.close();
  }

  get listening(): boolean {
    return this.server.listening;
  }

  /** Back to the start: seeded state, start-up knobs, no faults, no recorded requests, zero stats. */
  reset(): void {
    this.hostile = this.startHostile;
    this.faultState.clear();
    this.recorder.reset();
    this.resetStats();
    this.resetState();
  }

  // ---- knobs, recording, statistics

  /** Applies platform knobs (`POST /__emulator/config`). Throws on bad values. */
  configure(config: Record<string, unknown>): void {
    this.knobs.configure(config);
  }

  /** The current platform knobs (`GET /__emulator/config`). */
  config(): Record<string, unknown> {
    return this.knobs.config();
  }

  /** Every API request received (control requests excluded). */
  get requests(): RecordedRequest[] {
    return this.recorder.requests;
  }

  clearRequests(): void {
    this.recorder.clear();
  }

  /** Recorded requests whose path matches (string = exact path, or a RegExp). */
  requestsTo(path: string | RegExp, method?: string): RecordedRequest[] {
    return this.recorder.to(path, method);
  }

  resetStats(): void {
    this.traffic.reset();
  }

  stats(): EmulatorStats {
    return this.traffic.stats(this.extraStats());
  }

  // ---- for the platforms

  /** A setTimeout that `close()` cancels. */
  protected delay(ms: number): Promise<void> {
    return this.server.delay(ms);
  }

  protected error(status: number, message: string, path = '', headers?: Record<string, string | number>): Reply {
    return { status, json: this.errorBody(status, message, path), headers };
  }

  // ---- shaping faults (see faults.ts); a platform calls these for a successful reply

  /** Uses up one of a shaping fault that matches the request, marking the request; its knobs, or undefined. */
  protected takeShaping(kind: ShapingKind, req: ApiRequest): Record<string, unknown> | undefined {
    const spec = this.faultState.take(kind, req.method, req.path);
    if (!spec) return undefined;
    const record = this.recorder.of(req.raw);
    if (record && !record.fault) {
      record.fault = kind;
      this.traffic.faulted++;
    }
    return spec;
  }

  /** `deepNesting`: the placeholder to put where the deeply nested value goes, or undefined. */
  protected deepNesting(req: ApiRequest): string | undefined {
    const spec = this.takeShaping('deepNesting', req);
    if (!spec) return undefined;
    const record = this.recorder.of(req.raw);
    if (record) this.deepReplies.add(record);
    return deepNestingPlaceholder(Number(spec.depth ?? 10_000));
  }

  /** `hugePage` (Sutro, Inferable): how many synthetic entries the listing holds, or undefined. */
  protected hugePage(req: ApiRequest): number | undefined {
    const spec = this.takeShaping('hugePage', req);
    return spec ? Number(spec.items ?? 20_000) : undefined;
  }

  /** `oddIds`: `items` preceded by copies of its first entry whose `idKey` is each odd id (unchanged when empty). */
  protected withOddIds<T extends Record<string, unknown>>(req: ApiRequest, items: T[], idKey: string, ids: readonly string[] = ODD_IDS): T[] {
    if (items.length === 0 || !this.takeShaping('oddIds', req)) return items;
    return [...ids.map((id) => ({ ...items[0], [idKey]: id })), ...items];
  }

  // ---- request handling

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    readBody(req, res, (body) => {
      if (body === undefined) {
        writeReply(res, this.error(413, 'Request body too large'));
        return;
      }
      try {
        this.dispatch(req, res, parseRequest(req, body));
      } catch (err) {
        writeReply(res, this.error(500, `Emulator error: ${(err as Error).message}`));
      }
    });
  }

  private dispatch(req: IncomingMessage, res: ServerResponse, parsed: ParsedRequest): void {
    const { method, path, json, jsonError, form } = parsed;
    if (path.startsWith(CONTROL_PREFIX)) {
      writeReply(res, controlReply(this, method, path.slice(CONTROL_PREFIX.length), parsed.params, json, jsonError));
      return;
    }

    const now = Date.now();
    const traffic = this.traffic;
    traffic.all.enter(now);
    let accepted = false;
    let inScope = false;
    res.once('close', () => {
      traffic.all.leave();
      if (accepted) traffic.accepted.leave();
      if (inScope) traffic.limitedScope.leave();
    });

    const record = this.recorder.record(req, parsed, now);

    const decision = this.faultState.decide(method, path);
    let limitReply: Reply | undefined;
    if (decision) {
      traffic.faulted++;
      record.fault = decision.name;
    } else {
      const limit = checkLimits(this.limits, traffic.limitedScope, path, now);
      if (limit === 'over') {
        traffic.limited++;
        record.fault = 'limit';
        limitReply = this.error(429, STATUS_MESSAGES[429], path, { 'retry-after': String(this.limits?.retryAfter ?? 1) });
      } else {
        accepted = true;
        traffic.accepted.enter(now);
        if (limit === 'ok') {
          inScope = true;
          traffic.limitedScope.enter(now);
        }
      }
    }

    const answer = (): void => {
      if (res.destroyed || res.writableEnded) return;
      if (decision) {
        this.answerFault(req, res, record, decision, path, form);
        return;
      }
      if (limitReply) {
        record.status = limitReply.status;
        writeReply(res, this.finish(limitReply, req, form, record));
        return;
      }
      const apiReq: ApiRequest = {
        method,
        path,
        segments: segmentsOf(path),
        query: parsed.params,
        headers: req.headers,
        contentType: parsed.contentType,
        body: parsed.body,
        json,
        jsonError,
        form,
        raw: req,
      };
      let result: Reply | Promise<Reply>;
      try {
        result = this.handle(apiReq);
      } catch (err) {
        result = this.error(500, `Emulator error: ${(err as Error).message}`, path);
      }
      if (result instanceof Promise) {
        result.then(
          (r) => {
            record.status = r.status;
            writeReply(res, this.finish(r, req, form, record));
          },
          (err: Error) => {
            record.status = 500;
            writeReply(res, this.finish(this.error(500, `Emulator error: ${err.message}`, path), req, form, record));
          },
        );
      } else {
        record.status = result.status;
        writeReply(res, this.finish(result, req, form, record));
      }
    };

    const latency = this.faultState.latencyFor(path);
    if (latency > 0) void this.delay(latency).then(answer);
    else answer();
  }

  private answerFault(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, decision: Decision, path: string, form: Record<string, string> | undefined): void {
    switch (decision.kind) {
      case 'hang':
        record.status = 0;
        return; // never answered; close() destroys the socket
      case 'drop':
        record.status = 0;
        req.socket.destroy();
        return;
      case 'malformed':
        record.status = 200;
        writeReply(res, { status: 200, text: MALFORMED_BODY, contentType: 'application/json' });
        return;
      case 'wrongShape':
        record.status = 200;
        writeReply(res, { status: 200, json: this.wrongShapeBody(path) });
        return;
      case 'largeBody':
        record.status = 200;
        writeReply(res, { status: 200, text: this.faultState.largeBody(decision.bytes), contentType: 'application/json' });
        return;
      case 'status': {
        record.status = decision.status;
        const headers: Record<string, string> = {};
        if (decision.retryAfter !== undefined) headers['retry-after'] = String(decision.retryAfter);
        writeReply(res, this.finish(this.error(decision.status, decision.message, path, headers), req, form, record));
        return;
      }
    }
  }

  /** The reply as sent: hostile text and credential echoes when `hostile`, deep values expanded. */
  private finish(r: Reply, req: IncomingMessage, form: Record<string, string> | undefined, record: RecordedRequest): Reply {
    let out = r;
    if (this.hostile && out.text === undefined && out.bytes === undefined) {
      const isError = out.status >= 400;
      let json = out.json;
      if (json === undefined && isError) json = this.errorBody(out.status, STATUS_CODES[out.status] ?? 'Error', record.path);
      if (json !== undefined) {
        out = { ...out, json: poisonBody(json, this.hostileFields, isError ? { credentials: credentialsOf(req.headers.authorization, form) } : undefined) };
      }
    }
    if (out.json !== undefined && this.deepReplies.has(record)) {
      out = { ...out, json: undefined, text: expandDeepNesting(JSON.stringify(out.json)), contentType: out.contentType ?? 'application/json; charset=utf-8' };
    }
    return out;
  }
}
