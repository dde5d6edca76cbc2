// A small forward proxy for the tests (unit and integration), written with node:http: it opens
// CONNECT tunnels (what undici's ProxyAgent sends, for http:// and https:// targets alike) and
// forwards absolute-URI requests (`GET http://host/path`), and records every request it gets, so a
// test can prove that a request went through it (or that it did not).
//
// Host aliases stand in for a corporate proxy's DNS: a test may target `http://nyckel.test:PORT`,
// a name only the proxy resolves (to the emulator on 127.0.0.1). The client cannot resolve it
// itself, so a request that reaches the emulator must have gone through the proxy, and the
// client sees a name that is not loopback, as it would see a real platform's.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ProxiedRequest {
  /** 'CONNECT' for a tunnel, else the forwarded request's method. */
  method: string;
  /** `host:port` for a tunnel, the absolute URL for a forwarded request. */
  target: string;
  /** The Proxy-Authorization the client sent, if any (tests check it reached the proxy). */
  proxyAuthorization?: string;
  /** What the proxy answered the tunnel or the request with. */
  status: number;
}

export interface ConnectProxyOptions {
  /** Host name → address the proxy connects to instead (lower case). */
  hosts?: Record<string, string>;
  /** When set, requests without exactly this Proxy-Authorization get 407. */
  requireAuthorization?: string;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
}

export interface ConnectProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  requests: ProxiedRequest[];
  /** Tunnel targets (`host:port`) and forwarded URLs, in order. */
  targets(): string[];
  clear(): void;
  /** Changes which Proxy-Authorization is required (undefined: none). */
  requireAuthorization(value: string | undefined): void;
  /** Closes every open tunnel and connection (as a restarted proxy would): clients must CONNECT again. */
  dropConnections(): Promise<void>;
  close(): Promise<void>;
}

export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const requests: ProxiedRequest[] = [];
  const hosts = new Map(Object.entries(options.hosts ?? {}).map(([name, address]) => [name.toLowerCase(), address]));
  let required = options.requireAuthorization;
  const sockets = new Set<Socket>();

  const resolve = (hostname: string): string => hosts.get(hostname.toLowerCase()) ?? hostname;
  const authorizationOf = (req: IncomingMessage): string | undefined => {
    const value = req.headers['proxy-authorization'];
    return Array.isArray(value) ? value[0] : value;
  };
  const record = (req: IncomingMessage, target: string, status: number): void => {
    requests.push({ method: req.method ?? '', target, proxyAuthorization: authorizationOf(req), status });
  };
  const refused = (req: IncomingMessage): boolean => required !== undefined && authorizationOf(req) !== required;

  const server: Server = createServer((req, res) => {
    // A forwarded request: the request line holds the absolute URL.
    const target = req.url ?? '';
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      record(req, target, 400);
      res.writeHead(400).end('absolute URL required');
      return;
    }
    if (refused(req)) {
      record(req, target, 407);
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test proxy"' }).end();
      return;
    }
    record(req, target, 200);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      { host: resolve(url.hostname), port: url.port || 80, path: url.pathname + url.search, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  });

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    const colon = target.lastIndexOf(':');
    const hostname = target.slice(0, colon).replace(/^\[|\]$/g, '');
    const port = Number(target.slice(colon + 1));
    client.on('error', () => undefined);
    if (refused(req)) {
      record(req, target, 407);
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test proxy"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect({ host: resolve(hostname), port });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      record(req, target, 200);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (!connected) {
        record(req, target, 502);
        client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      } else {
        client.destroy();
      }
    });
    client.on('close', () => upstream.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((done) => server.listen(0, host, done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    requests,
    targets: () => requests.map((r) => r.target),
    clear: () => void (requests.length = 0),
    requireAuthorization: (value) => void (required = value),
    dropConnections: async () => {
      for (const socket of sockets) socket.destroy();
      // Let clients see their sockets close before the next request.
      await new Promise((done) => setTimeout(done, 50));
    },
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
