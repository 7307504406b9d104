/**
 * Clocks for where an optimizer workload's time goes. `attack()` has no timing hooks, and the bench must
 * not change src/, so the clocks wrap the two places every path goes through, for the duration of one
 * run only: LbfgsbSolver.prototype.tell (all of the optimizer's work between two evaluations happens
 * inside it) and the engine's `read` (submit, then wait until the GPU's results are mapped).
 */
import type { Engine } from '../../src/gpu/engine.ts';
import { LbfgsbSolver } from '../../src/optim/lbfgsb.ts';

export interface Clocked<T> {
  value: T;
  wallMs: number;
  /** Inside LbfgsbSolver.tell: the optimizer's own CPU work. */
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
  const tell = prototype.tell;
  const read = engine?.read;
  let solverMs = 0;
  let iterations = 0;
  let gpuWaitMs = 0;
  let inFlight = 0;
  let since = 0;
  prototype.tell = function (this: LbfgsbSolver, f: number, g: Float64Array): void {
    const before = this.iterations;
    const start = now();
    try {
      tell.call(this, f, g);
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
    prototype.tell = tell;
    // The wrapper is an own property shadowing the class's method; removing it restores the method.
    if (engine) Reflect.deleteProperty(engine, 'read');
  }
}
