// Entry point the extension host loads (extensionTestsPath): runs every
// out/test/integration/**/*.test.js with mocha inside VS Code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

function findTests(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return findTests(full);
      return entry.isFile() && entry.name.endsWith('.test.js') ? [full] : [];
    })
    .sort();
}

export interface IntegrationResult {
  passed: number;
  failed: number;
  pending: number;
}

/** Written for the runner (AI_FUNCTIONS_TEST_RESULT): catches a silent exit of the host. */
function writeResult(result: IntegrationResult): void {
  const file = process.env.AI_FUNCTIONS_TEST_RESULT;
  if (!file) return;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(result) + '\n');
  } catch (error) {
    console.error(`could not write ${file}:`, error);
  }
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  // Run a subset: AI_FUNCTIONS_TEST_GREP='API keys' npm run test:integration
  const grep = process.env.AI_FUNCTIONS_TEST_GREP;
  if (grep) mocha.grep(grep);
  const files = findTests(__dirname);
  for (const file of files) mocha.addFile(file);

  return new Promise((resolve, reject) => {
    let runner: Mocha.Runner;
    try {
      runner = mocha.run((failures) => {
        const stats = runner.stats;
        const result = {
          passed: stats?.passes ?? 0,
          failed: Math.max(failures, stats?.failures ?? 0),
          pending: stats?.pending ?? 0,
        };
        writeResult(result);
        if (result.failed > 0) reject(new Error(`${result.failed} integration test(s) failed`));
        else if (files.length === 0) reject(new Error(`no *.test.js files under ${__dirname}`));
        else resolve();
      });
    } catch (error) {
      // A test file that throws while loading.
      console.error(error);
      writeResult({ passed: 0, failed: 1, pending: 0 });
      reject(error);
    }
  });
}
