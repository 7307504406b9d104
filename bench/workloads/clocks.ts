/**
 * Clocks for where an optimizer workload's time goes. `attack()` has no timing hooks, and the bench must
 * not change src/, so the clocks wrap the two places every path goes through, for the duration of one
 * run only: LbfgsbSolver.prototype.tellAt (all of the optimizer's work between two evaluations happens
 * inside it; `tell` goes through it too) and the engine's `read` (submit, then wait until the GPU's
 * results are mapped). Solvers in worker threads (a worker batch) are out of the clock's sight: their
 * work shows as the calling thread's waiting, in the rest of the time.
 */
import type { Engine } from '../../src/gpu/engine.ts';
import { LbfgsbSolver } from '../../src/optim/lbfgsb.ts';

export interface Clocked<T> {
  value: T;
  wallMs: number;
  /** Inside LbfgsbSolver.tellAt in this thread: the optimizer's own CPU work. */
  solverMs: number;
  /** Iterations the solvers accepted. */
  iterations: number;
  /** While at least one engine read was in flight (overlapping reads count once). */
  gpuWaitMs: number;
}

/**
 * Runs `work` with the clocks on (the GPU clock only with an engine); the harness runs one instance at a
 * time, so nothing else is counted.
 */
export async function clocked<T>(engine: Engine | null, work: () => Promise<T>): Promise<Clocked<T>> {
  const now = () => performance.now();
  const prototype = LbfgsbSolver.prototype;
  const tellAt = prototype.tellAt;
  const read = engine?.read;
  let solverMs = 0;
  let iterations = 0;
  let gpuWaitMs = 0;
  let inFlight = 0;
  let since = 0;
  prototype.tellAt = function (this: LbfgsbSolver, f: number, values: Float64Array, offset: number): void {
    const before = this.iterations;
    const start = now();
    try {
      tellAt.call(this, f, values, offset);
    } finally {
      solverMs += now() - start;
      iterations += this.iterations - before;
    }
  };
  if (engine && read) {
    engine.read = async (...args: Parameters<Engine['read']>) => {
      if (inFlight++ === 0) since = now();
      try {
        return await read.apply(engine, args);
      } finally {
        if (--inFlight === 0) gpuWaitMs += now() - since;
      }
    };
  }
  const start = now();
  try {
    const value = await work();
    return { value, wallMs: now() - start, solverMs, iterations, gpuWaitMs };
  } finally {
    prototype.tellAt = tellAt;
    // The wrapper is an own property shadowing the class's method; removing it restores the method.
    if (engine) Reflect.deleteProperty(engine, 'read');
  }
}
