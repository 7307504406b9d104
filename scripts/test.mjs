#!/usr/bin/env node
/**
 * `npm test`: every suite of the project, one after another, then one table of what each counted and a
 * last line "N passed, N failed" with the totals (the plain form CI reads; nothing follows it). Every stage runs even after one fails, so a single run shows
 * all that is broken; the exit status is non-zero when any stage failed or ended without its counts.
 *
 * A stage's counts come from the suite itself: Vitest's JSON report for the Node suite, the
 * "Label: N passed, N failed" line the browser tests and the bench harness print last, and the exit
 * status for the checks that are one test each (typecheck, bench page, kernel explorer, demo). A stage also fails when it
 * outlives its time limit (it is killed) and, for the Node suite, when a test file never reported.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const HELP = `Usage: node scripts/test.mjs [stage...]

Runs the test stages in order and prints a summary whose last line is the totals, "N passed, N failed".
Stages: ${['typecheck', 'node', 'browser', 'harness', 'bench-page', 'explorer', 'demo'].join(', ')} (default: all).
Each stage is also an npm script of its own (npm run test:node, test:browser, test:bench, test:demo).
A stage that outlives its time limit is killed and fails; so does the node stage when a test file never
reports (its worker died).`;

const repo = fileURLToPath(new URL('..', import.meta.url));
const npx = (...args) => ['npx', '--no-install', ...args];
const SUMMARY_LINE = /^(?:[\w ]+: )?(\d+) passed, (\d+) failed/;

/** @typedef {{ passed: number, failed: number }} Counts */

// Each stage's time limit, well above its usual length here (node ~3 min, browser ~1 min): a stage that
// hangs (a deadlocked native driver cannot be interrupted by Vitest's own test timeout) is killed and
// counted as failed instead of holding CI until its own limit.
const STAGES = [
  { name: 'typecheck', command: npx('tsc', '--noEmit', '-p', 'tsconfig.json'), count: 'exit', minutes: 5 },
  {
    name: 'node',
    command: (report) => npx('vitest', 'run', '--project', 'node', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`),
    count: 'vitest',
    files: npx('vitest', 'list', '--project', 'node', '--filesOnly', '--json'),
    minutes: 30,
  },
  { name: 'browser', command: ['node', 'scripts/browser-tests.mjs'], count: 'line', minutes: 20 },
  { name: 'harness', command: ['node', 'bench/harness.check.mjs'], count: 'line', minutes: 5 },
  { name: 'bench-page', command: ['node', 'bench/run.mjs', '--check-page'], count: 'exit', minutes: 5 },
  { name: 'explorer', command: ['node', 'bench/explorer.check.mjs'], count: 'exit', minutes: 5 },
  { name: 'demo', command: ['node', 'demo/demo.check.mjs'], count: 'exit', minutes: 5 },
];

/** Runs a command with its output passed through, and returns its exit code and last summary line. */
function run(argv, minutes) {
  return new Promise((resolve) => {
    // Its own process group, so a timeout also ends what it started (Vitest's workers, Chromium).
    const child = spawn(argv[0], argv.slice(1), { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    const killGroup = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    // Outside the terminal's process group, the stage would not see a Ctrl-C on its own.
    const interrupt = (signal) => {
      killGroup(signal);
      process.exit(130);
    };
    process.once('SIGINT', interrupt).once('SIGTERM', interrupt);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGKILL');
    }, minutes * 60_000);
    const settle = (result) => {
      clearTimeout(timer);
      process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
      resolve(result);
    };
    let pending = '';
    let summary = null;
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop();
      for (const line of lines) {
        const m = SUMMARY_LINE.exec(line.trim());
        if (m) summary = { passed: Number(m[1]), failed: Number(m[2]) };
      }
    });
    child.on('error', (error) => settle({ code: 1, summary, note: error.message }));
    child.on('close', (code, signal) => {
      const note = timedOut ? `killed after its ${minutes} min limit` : signal ? `killed by ${signal}` : '';
      settle({ code: timedOut ? 1 : (code ?? 1), summary, note });
    });
  });
}

/** The test files a Vitest list command names, or null when it could not say. */
function listedFiles(argv) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: repo, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', () => resolve(null));
    child.on('close', () => {
      try {
        resolve(JSON.parse(out).map((entry) => entry.file));
      } catch {
        resolve(null);
      }
    });
  });
}

/** Runs one stage and returns its counts, with a note when the counts and the exit status disagree. */
async function runStage(stage, scratch) {
  const report = join(scratch, `${stage.name}.json`);
  const argv = typeof stage.command === 'function' ? stage.command(report) : stage.command;
  console.log(`\n=== ${stage.name}: ${argv.join(' ')}\n`);
  const { code, summary, note } = await run(argv, stage.minutes);
  let counts = null;
  let missing = 0;
  const notes = [note];
  if (stage.count === 'exit') counts = code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
  else if (stage.count === 'line') counts = summary;
  else {
    const json = await readFile(report, 'utf8').then(JSON.parse, () => null);
    if (json) counts = { passed: json.numPassedTests, failed: json.numFailedTests };
    // A worker that dies (a native crash) takes the files after it with it, and they are in no count.
    const reported = new Set((json?.testResults ?? []).map((file) => file.name));
    const never = ((await listedFiles(stage.files)) ?? []).filter((file) => !reported.has(file));
    missing = never.length;
    if (missing > 0) {
      const names = never.map((file) => relative(repo, file)).join(', ');
      notes.push(`${missing} test file(s) never reported, as when the worker dies (see "Unhandled Error" above): ${names}`);
    }
  }
  if (!counts) notes.push('ended without its counts');
  else if (code !== 0 && counts.failed === 0) notes.push(`exit status ${code} although no test failed`);
  const ok = code === 0 && counts !== null && counts.failed === 0 && missing === 0;
  // A stage that failed without a failed test (a crash, a page error) still counts one failure.
  const counted = { passed: counts?.passed ?? 0, failed: Math.max(counts?.failed ?? 0, ok ? 0 : 1) };
  return { name: stage.name, counts: counted, ok, note: notes.filter(Boolean).join('; ') };
}

async function main() {
  const wanted = process.argv.slice(2);
  if (wanted.includes('--help') || wanted.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  const unknown = wanted.filter((w) => !STAGES.some((s) => s.name === w));
  if (unknown.length > 0) throw new Error(`unknown stage(s) ${unknown.join(', ')}; stages: ${STAGES.map((s) => s.name).join(', ')}`);
  const stages = wanted.length > 0 ? STAGES.filter((s) => wanted.includes(s.name)) : STAGES;

  const scratch = await mkdtemp(join(tmpdir(), 'blindspot-test-'));
  const results = [];
  try {
    for (const stage of stages) results.push(await runStage(stage, scratch));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  console.log('\n=== summary');
  for (const r of results) {
    console.log(`${r.ok ? '✓' : '✗'} ${r.name.padEnd(10)} ${r.counts.passed} passed, ${r.counts.failed} failed${r.note ? ` (${r.note})` : ''}`);
  }
  const passed = results.reduce((n, r) => n + r.counts.passed, 0);
  const failed = results.reduce((n, r) => n + r.counts.failed, 0);
  console.log(`${passed} passed, ${failed} failed`);
  return results.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
