/**
 * Paced GPU waits (src/gpu/waitPacer.ts): how long a wait sleeps before it polls, how a stale estimate
 * corrects itself, and, on a real engine, that a paced read returns the same values while the calling
 * thread sleeps through most of the wait instead of spinning in Dawn's polling loop.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/gpu/engine.ts';
import { WaitPacer } from '../../src/gpu/waitPacer.ts';
import { tidy } from '../../src/tensor/context.ts';
import { matmul } from '../../src/tensor/ops/matmul.ts';
import { tensor } from '../../src/tensor/ops/fill.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { rng, testSeed } from '../helpers/random.ts';

describe('WaitPacer', () => {
  it('sleeps three quarters of the expected wait: the last one, scaled down to fewer dispatches, never up', () => {
    const pacer = new WaitPacer();
    expect(pacer.sleepMs(10), 'nothing observed yet').toBe(0);
    expect(pacer.pause(10)).toBeNull();
    // 40 ms for 10 dispatches, polled all the way (no sleep).
    pacer.observe(40, 10, 40);
    expect(pacer.sleepMs(10)).toBeCloseTo(30, 12);
    expect(pacer.sleepMs(5), 'half the dispatches, half the sleep').toBeCloseTo(15, 12);
    // Dispatches differ in cost: ten thousand tiny ops after ten heavy ones would otherwise sleep for half an hour.
    expect(pacer.sleepMs(10_000), 'more dispatches: no longer than the last wait').toBeCloseTo(30, 12);
    expect(pacer.sleepMs(0), 'nothing submitted, nothing to wait for').toBe(0);
    pacer.observe(2, 10, 2);
    expect(pacer.sleepMs(10), 'a 1.5 ms sleep is not worth a timer').toBe(0);
    expect(pacer.pause(10)).toBeNull();
  });

  it('shrinks a stale estimate by the share every oversleep, and drops it once the waits are short', () => {
    const pacer = new WaitPacer();
    pacer.observe(100, 10, 100);
    expect(pacer.sleepMs(10)).toBeCloseTo(75, 12);
    // The work now takes 1 ms: every sleep finds it done, and a timer fires a millisecond late.
    const sleeps: number[] = [];
    for (let i = 0; i < 20 && pacer.sleepMs(10) > 0; i++) {
      const sleep = pacer.sleepMs(10);
      sleeps.push(sleep);
      pacer.observe(sleep + 1, 10, 0.1);
    }
    // 75, then 0.75 · (75 + 1), … until a wait of under 8 ms overslept: that one drops the estimate.
    for (let i = 1; i < sleeps.length; i++) expect(sleeps[i]).toBeCloseTo(0.75 * (sleeps[i - 1] + 1), 12);
    expect(sleeps.at(-1)! + 1).toBeLessThan(8);
    expect(sleeps.length).toBeLessThan(20);
    expect(pacer.sleepMs(10), 'dropped: the next wait is not held back').toBe(0);
    // Unpaced, the next wait measures the 1 ms afresh: too short to pace.
    pacer.observe(1, 10, 1);
    expect(pacer.sleepMs(10)).toBe(0);
  });

  it('keeps pacing after an oversleep of a long wait, and after a sleep that still had to poll', () => {
    const pacer = new WaitPacer();
    pacer.observe(40, 10, 40);
    pacer.observe(30.5, 10, 0.2);
    expect(pacer.sleepMs(10), 'overslept a 30 ms wait: its length is the new estimate').toBeCloseTo(0.75 * 30.5, 12);
    pacer.observe(35, 10, 12);
    expect(pacer.sleepMs(10)).toBeCloseTo(0.75 * 35, 12);
  });

  it('makes waits that start during a sleep join it, and learns nothing from them', async () => {
    const pacer = new WaitPacer();
    pacer.observe(40, 10, 40);
    const first = pacer.pause(10);
    expect(first).not.toBeNull();
    // Reads awaited together: the later ones cover no dispatches of their own.
    expect(pacer.pause(0)).toBe(first);
    const started = performance.now();
    await first;
    // Node's timers may round a millisecond down.
    expect(performance.now() - started, 'no earlier than its sleep').toBeGreaterThanOrEqual(29);
    pacer.observe(41, 0, 0.1);
    expect(pacer.sleepMs(10), 'a joined wait changes nothing').toBeCloseTo(30, 12);
    expect(pacer.pause(10), 'a new sleep once the last one is over').not.toBe(first);
  });
});

/** CPU milliseconds this process's calling thread has run (Linux: /proc, in 10 ms ticks); null elsewhere. */
function callingThreadCpuMs(): number | null {
  const path = `/proc/self/task/${process.pid}/stat`;
  if (!existsSync(path)) return null;
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

describe('paced reads on an engine', () => {
  /** Enough chained 384² products that a CPU adapter takes a few hundred milliseconds. */
  function queueWork(engine: Engine, a: Tensor): Tensor {
    return tidy(engine, () => {
      let x = a;
      for (let i = 0; i < 6; i++) x = matmul(x, a);
      return x;
    });
  }

  it('return what unpaced reads return, count the sleep as GPU wait, and leave the calling thread idle while it sleeps', async () => {
    const random = rng(testSeed());
    const n = 384;
    // Entries of ±1/n keep six chained products finite and well away from zero.
    const values = Float32Array.from({ length: n * n }, () => (random() < 0.5 ? -1 : 1) / Math.sqrt(n));
    const paced = await Engine.create({ pacedWaits: true });
    const unpaced = await Engine.create({ pacedWaits: false });
    try {
      const read = async (engine: Engine) => {
        const a = tensor(engine, values, [n, n]);
        const out = queueWork(engine, a);
        const data = await out.data();
        a.dispose();
        out.dispose();
        return data;
      };
      const expected = await read(unpaced);
      // The first paced read has no estimate yet; it gives one.
      expect(await read(paced)).toEqual(expected);
      const a = tensor(paced, values, [n, n]);
      const out = queueWork(paced, a);
      const waitBefore = paced.gpuWaitMs;
      const sleptBefore = paced.gpuSleepMs;
      const cpuBefore = callingThreadCpuMs();
      const started = performance.now();
      const data = await out.data();
      const wall = performance.now() - started;
      const cpuAfter = callingThreadCpuMs();
      expect(data).toEqual(expected);
      const slept = paced.gpuSleepMs - sleptBefore;
      expect(slept, 'the paced read slept').toBeGreaterThan(0);
      expect(paced.gpuWaitMs - waitBefore, 'the sleep counts as waiting for the GPU').toBeGreaterThanOrEqual(slept);
      expect(unpaced.gpuSleepMs).toBe(0);
      if (cpuBefore !== null && cpuAfter !== null) {
        // Idle while asleep: the calling thread ran at most for the rest of the wait (the polling, which
        // spins), give or take /proc's 10 ms ticks at both ends. Spinning, it would run through the sleep.
        expect(cpuAfter - cpuBefore, `calling thread CPU during a ${wall.toFixed(0)} ms read that slept ${slept.toFixed(0)} ms`).toBeLessThanOrEqual(
          wall - slept + 30,
        );
      }
      a.dispose();
      out.dispose();
    } finally {
      await paced.dispose();
      await unpaced.dispose();
    }
  });
});
