/**
 * A checkpoint and its record are one file: `blindspot train` is killed (SIGKILL) again and again at random
 * moments around its save — the instant its first temporary file appears in the folder, plus a random
 * delay of a few milliseconds — and after every kill the folder must still be consistent: every checkpoint
 * loads and carries a record that names it and agrees with its errors, the folder lists no problem, and
 * the next save leaves no temporary file of a dead writer and an index equal to the checkpoints' records.
 */
import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/nn/checkpoint.node.ts';
import { listTrainedModels, RESULTS_FILE, type TrainingRecord } from '../../src/nn/store.node.ts';
import { ensureBuilt } from '../helpers/builtCli.ts';
import { rng, testSeed } from '../helpers/random.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = 8;
let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Train a tiny FC10 into `dir`; SIGKILL it `delayMs` after its first temporary file appears there. */
function trainAndKill(seed: number, delayMs: number): Promise<{ killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/blindspot.js', 'train', 'FC10(1e-4)', '--iterations', '1', '--examples', '500', '--seed', String(seed), '--out', dir], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    let killed = false;
    const watcher = watch(dir, (_event, name) => {
      if (killed || !name?.endsWith('.tmp')) return;
      killed = true;
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      watcher.close();
      if (signal === 'SIGKILL' || code === 0) resolve({ killed: signal === 'SIGKILL' });
      else reject(new Error(`blindspot train exited with ${code ?? signal}`));
    });
  });
}

async function expectConsistent(afterSave: boolean): Promise<void> {
  const { models, problems } = await listTrainedModels(dir);
  expect(problems).toEqual([]);
  for (const m of models) {
    const checkpoint = await loadCheckpoint(m.path);
    expect(checkpoint.meta.record).toEqual(m.record);
    expect(m.path.endsWith(m.record.checkpoint)).toBe(true);
    expect(checkpoint.meta.errors?.test).toBe(m.record.testError);
  }
  if (afterSave) {
    const index = JSON.parse(await readFile(join(dir, RESULTS_FILE), 'utf8')) as TrainingRecord[];
    const byFile = (list: TrainingRecord[]) => [...list].sort((a, b) => a.checkpoint.localeCompare(b.checkpoint));
    expect(byFile(index)).toEqual(byFile(models.map((m) => m.record)));
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }
}

describe('killing blindspot train around its save', () => {
  it(`leaves every checkpoint with its own record, over ${RUNS} kills at random moments`, async () => {
    await ensureBuilt();
    dir = await mkdtemp(join(tmpdir(), 'blindspot-kill-'));
    const seed = testSeed();
    const random = rng(seed);
    let kills = 0;
    for (let run = 0; run < RUNS; run++) {
      // Kills spread over the checkpoint's write, its rename, the lock and the index's write.
      const { killed } = await trainAndKill(run + 1, Math.floor(random() * 12));
      if (killed) kills++;
      await expectConsistent(false);
    }
    expect(kills, `seed=${seed}`).toBeGreaterThanOrEqual(RUNS / 2);
    // One run that finishes cleans up after the killed ones and rebuilds the index from the checkpoints.
    const { killed } = await trainAndKill(99, 60_000);
    expect(killed).toBe(false);
    await expectConsistent(true);
  }, 600_000);
});
