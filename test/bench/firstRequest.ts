// Run in a fresh node process by the start-up benchmark: how long from a cold require of the
// production HTTP client until its first request is answered (loading dist/undici.js included).
//   node firstRequest.js client <bundle.js> <url>   → {requireMs, firstRequestMs, secondRequestMs, sinceProcessStartMs}
//   node firstRequest.js undici <undici.js>         → {requireMs}
// performance.now() counts from the process's start.
const [mode, file, url] = process.argv.slice(2);

async function main(): Promise<Record<string, number>> {
  if (mode === 'undici') {
    const t = performance.now();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- what is measured
    require(file!);
    return { requireMs: performance.now() - t };
  }
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- what is measured
  const { HttpClient } = require(file!) as typeof import('../../src/core/http');
  const t1 = performance.now();
  const quiet = () => undefined;
  const http = new HttpClient({
    logger: { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet },
    timeouts: () => ({ connectMs: 10_000, firstByteMs: 100_000, totalMs: 120_000 }),
  });
  const send = () => http.request({ platform: 'sutro', method: 'POST', url: url!, json: { input: 'hello' } });
  await send();
  const t2 = performance.now();
  await send();
  const t3 = performance.now();
  await http.close();
  return { requireMs: t1 - t0, firstRequestMs: t2 - t1, secondRequestMs: t3 - t2, sinceProcessStartMs: t2 };
}

main().then(
  (result) => {
    process.stdout.write(JSON.stringify(result) + '\n');
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`firstRequest: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
