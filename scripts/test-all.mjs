#!/usr/bin/env node
// `npm test`: the unit suite, the integration suite, then the browser suite (test:e2e: the
// user's paths in VS Code's web workbench, the packaged .vsix installed into a fresh VS Code and
// `npm start`), always all three, with one closing line `N passed, N failed` summing them. Exits
// non-zero when a test failed or a suite could not run.
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const ansi = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Runs `npm run <script>`, streaming its output, and resolves with its exit code and output. */
function run(script) {
  return new Promise((resolve) => {
    console.log(`\n> npm run ${script}\n`);
    const child = spawn(npm, ['run', script], { stdio: ['inherit', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      output += chunk;
    });
    child.on('error', (error) => resolve({ code: 1, output: output + String(error) }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output: output.replace(ansi, '') }));
  });
}

/** mocha's spec reporter: `  N passing (12ms)`, `  N failing`. */
function mochaCounts(output) {
  const last = (re) => [...output.matchAll(re)].at(-1);
  const passing = last(/^\s*(\d+) passing\b/gm);
  const failing = last(/^\s*(\d+) failing\b/gm);
  if (!passing && !failing) return undefined;
  return { passed: Number(passing?.[1] ?? 0), failed: Number(failing?.[1] ?? 0) };
}

/** test/runIntegration.ts: `integration: N passed, N failed`. */
function integrationCounts(output) {
  const matches = [...output.matchAll(/^integration: (\d+) passed, (\d+) failed$/gm)];
  const last = matches.at(-1);
  return last ? { passed: Number(last[1]), failed: Number(last[2]) } : undefined;
}

/** test/runE2e.ts: `e2e: N passed, N failed`. */
function e2eCounts(output) {
  const last = [...output.matchAll(/^e2e: (\d+) passed, (\d+) failed$/gm)].at(-1);
  return last ? { passed: Number(last[1]), failed: Number(last[2]) } : undefined;
}

// Ctrl+C reaches the children too (same process group); let them clean up and report.
let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
});

const suites = [
  { name: 'unit', script: 'test:unit', parse: mochaCounts },
  { name: 'integration', script: 'test:integration', parse: integrationCounts },
  { name: 'e2e', script: 'test:e2e', parse: e2eCounts },
];

let passed = 0;
let failed = 0;
let broken = false;
const lines = [];
for (const suite of suites) {
  if (interrupted) {
    broken = true;
    lines.push(`${suite.name}: skipped (interrupted)`);
    continue;
  }
  const { code, output } = await run(suite.script);
  const counts = suite.parse(output);
  if (!counts) {
    broken = true;
    lines.push(`${suite.name}: could not run (exit ${code})`);
    continue;
  }
  passed += counts.passed;
  failed += counts.failed;
  if (code !== 0 && counts.failed === 0) {
    broken = true;
    lines.push(`${suite.name}: ${counts.passed} passed, ${counts.failed} failed, but exited with ${code}`);
  } else {
    lines.push(`${suite.name}: ${counts.passed} passed, ${counts.failed} failed`);
  }
}

console.log('');
for (const line of lines) console.log(line);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || broken ? 1 : 0);
