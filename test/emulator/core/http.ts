// The emulators' HTTP layer (node:http only): the loopback server and its sockets, reading and
// parsing a request, writing a reply. It knows nothing of platforms, faults or recording.

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Query = Record<string, string | string[]>;

export interface ApiRequest {
  method: string;
  path: string;
  /** Path segments, URI-decoded, without empty ones. */
  segments: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  contentType: string;
  body: string;
  /** Parsed JSON body; undefined when absent or not JSON (see `jsonError`). */
  json: unknown;
  /** True when a body was sent as JSON but could not be parsed. */
  jsonError: boolean;
  /** Parsed form body when the content type is application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  raw: IncomingMessage;
}

export interface Reply {
  status: number;
  /** Serialized as JSON unless `text` or `bytes` is given. */
  json?: unknown;
  text?: string;
  /** A binary body (a file), sent as it is; `contentType` defaults to application/octet-stream. */
  bytes?: Buffer;
  contentType?: string;
  headers?: Record<string, string | number>;
}

export const reply = {
  json(status: number, body: unknown, headers?: Record<string, string | number>): Reply {
    return { status, json: body, headers };
  },
  empty(status: number, headers?: Record<string, string | number>): Reply {
    return { status, headers };
  },
  text(status: number, text: string, contentType = 'text/plain; charset=utf-8'): Reply {
    return { status, text, contentType };
  },
};

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why a request body could not be read as JSON, if it could not. */
export function jsonBodyProblem(req: ApiRequest): string | undefined {
  if (req.jsonError) return 'The request body is not valid JSON';
  if (req.body.length > 0 && req.json === undefined) return `Expected Content-Type: application/json (got ${req.contentType || 'none'})`;
  if (req.body.length === 0) return 'The request body is empty; expected a JSON object';
  return undefined;
}

/** A request as read off the wire, before anything decides how to answer it. */
export interface ParsedRequest {
  method: string;
  /** Without the query string. */
  path: string;
  params: URLSearchParams;
  /** The query string as recorded: a repeated key becomes an array. */
  query: Query;
  contentType: string;
  body: string;
  json: unknown;
  jsonError: boolean;
  form: Record<string, string> | undefined;
}

export function parseRequest(req: IncomingMessage, body: string): ParsedRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const search = q < 0 ? '' : url.slice(q + 1);
  const method = req.method ?? 'GET';
  const params = new URLSearchParams(search);
  const query: Query = {};
  for (const [k, v] of params) {
    const prev = query[k];
    if (prev === undefined) query[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else query[k] = [prev, v];
  }
  const contentType = String(req.headers['content-type'] ?? '').toLowerCase();

  let json: unknown;
  let jsonError = false;
  let form: Record<string, string> | undefined;
  if (body.length > 0) {
    if (contentType.includes('application/x-www-form-urlencoded')) {
      form = Object.fromEntries(new URLSearchParams(body));
    } else if (contentType === '' || contentType.includes('json')) {
      try {
        json = JSON.parse(body);
      } catch {
        jsonError = true;
      }
    }
  }
  return { method, path, params, query, contentType, body, json, jsonError, form };
}

/** The URI-decoded, non-empty segments of a path (a segment that does not decode stays as sent). */
export function segmentsOf(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Reads a request body as UTF-8; `undefined` when it is larger than MAX_BODY_BYTES (then answer 413). */
export function readBody(req: IncomingMessage, res: ServerResponse, done: (body: string | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  });
  req.on('end', () => {
    if (tooLarge) {
      done(undefined);
      return;
    }
    done(chunks.length === 0 ? '' : chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'));
  });
  req.on('error', () => res.destroy());
}

export function writeReply(res: ServerResponse, r: Reply): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string | number> = {};
  let payload: string | Buffer | undefined;
  if (r.bytes !== undefined) {
    payload = r.bytes;
    headers['content-type'] = r.contentType ?? 'application/octet-stream';
  } else if (r.text !== undefined) {
    payload = r.text;
    headers['content-type'] = r.contentType ?? 'text/plain; charset=utf-8';
  } else if (r.json !== undefined) {
    payload = JSON.stringify(r.json);
    headers['content-type'] = r.contentType ?? 'application/json; charset=utf-8';
  }
  headers['content-length'] = payload === undefined ? 0 : Buffer.byteLength(payload);
  if (r.headers) Object.assign(headers, r.headers);
  res.writeHead(r.status, headers);
  res.end(payload);
}

/**
 * A node:http server on a loopback port that can really stop: `close()` destroys open sockets
 * (hung requests included) and cancels the timers made with `delay()`, so a test that stops it
 * sees refused connections at once.
 */
export class LoopbackServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly onRequest: (req: IncomingMessage, res: ServerResponse) => void) {}

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Listens on `port` (0 = a free one); resolves with the port. */
  async listen(port: number, host: string): Promise<number> {
    const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => this.onRequest(req, res));
    server.keepAliveTimeout = 30_000;
    server.headersTimeout = 60_000;
    server.requestTimeout = 0;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  /** A setTimeout that `close()` cancels (the promise then never settles). */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }
}
