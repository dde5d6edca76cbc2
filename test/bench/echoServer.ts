// A minimal keep-alive HTTP server for the client benchmarks, run in its own process so that the
// clients measured do not share its event loop. Every request gets the same small JSON reply
// (the size of a classification answer). Prints its URL as its first line; stops on SIGTERM.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = Buffer.from(JSON.stringify({ label: 'positive', confidence: 0.93, predictions: [{ label: 'positive', confidence: 0.93 }] }));

const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
    res.end(BODY);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
