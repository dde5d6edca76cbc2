// Command-line helpers: each emulator file runs on its own with `node out/test/emulator/<name>.js
// [--port N] [--hostile]`, and index.js runs all three.

/** Parses `--port N` from argv (for the CLIs). */
export function portFromArgv(argv: string[]): number | undefined {
  const i = argv.indexOf('--port');
  const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--port='))?.slice('--port='.length);
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid --port ${raw}`);
  return port;
}

/** True when argv has `--hostile` (hostile-server mode from the start, for the CLIs). */
export function hostileFromArgv(argv: string[]): boolean {
  return argv.includes('--hostile');
}

/** Runs emulators until SIGINT/SIGTERM, printing one JSON line of their URLs. */
export function runUntilSignal(urls: Record<string, string>, close: () => Promise<void>): void {
  process.stdout.write(`${JSON.stringify(urls)}\n`);
  const stop = (): void => {
    void close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** One platform's CLI: starts it with the argv's `--port` and `--hostile`, prints `{"<name>": url}`. */
export function runEmulatorCli(
  name: string,
  start: (options: { port: number; hostile: boolean }) => Promise<{ url: string; close(): Promise<void> }>,
): void {
  void start({ port: portFromArgv(process.argv) ?? 0, hostile: hostileFromArgv(process.argv) }).then((e) => runUntilSignal({ [name]: e.url }, () => e.close()));
}
