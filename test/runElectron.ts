// Runs the integration suite under @vscode/test-electron: downloads VS Code (needs internet)
// and starts it with the extension under development and out/test/integration/index.js.
//
//   npm run test:electron
//
// Environment: AI_FUNCTIONS_VSCODE_VERSION (default: stable), AI_FUNCTIONS_* passed through.
// On Linux without a display, run it under xvfb-run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { createRunDir, createWorkspace, integrationUserSettings, repoRoot } from './host/codeServer';

async function main(): Promise<number> {
  const root = repoRoot();
  const extensionTestsPath = path.join(root, 'out', 'test', 'integration', 'index.js');
  const version = process.env.AI_FUNCTIONS_VSCODE_VERSION || 'stable';

  let vscodeExecutablePath: string;
  try {
    vscodeExecutablePath = await downloadAndUnzipVSCode({
      version,
      cachePath: path.join(root, '.vscode-test'),
    });
  } catch (error) {
    console.error(
      `electron: could not download VS Code ${version} (${error instanceof Error ? error.message : error}).\n` +
        'This runner needs access to update.code.visualstudio.com. Offline, use ' +
        '`npm run test:integration` (code-server + Chromium) instead.',
    );
    return 1;
  }

  const runDir = createRunDir();
  const workspace = createWorkspace(runDir);
  const resultFile = path.join(runDir, 'result.json');
  fs.mkdirSync(path.join(runDir, 'ud', 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(runDir, 'ud', 'User', 'settings.json'),
    JSON.stringify(integrationUserSettings(), null, 2) + '\n',
  );
  let code: number;
  try {
    code = await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: root,
      extensionTestsPath,
      extensionTestsEnv: { AI_FUNCTIONS_TEST_RESULT: resultFile },
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir', path.join(runDir, 'ud'),
        '--extensions-dir', path.join(runDir, 'exts'),
      ],
    });
  } catch (error) {
    console.error('electron: VS Code failed:', error instanceof Error ? error.message : error);
    code = 1;
  }

  try {
    const result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    console.log(`integration: ${result.passed} passed, ${result.failed} failed`);
    if (result.failed > 0) code ||= 1;
  } catch {
    console.error('electron: the suite did not report a result');
    code ||= 1;
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error('electron:', error);
    process.exit(1);
  },
);
