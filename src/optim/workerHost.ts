/**
 * The worker's side of a worker batch: it keeps the solvers of the slots it was given, starts problems and
 * tells solvers their values as the batch asks (workerProtocol.ts), and answers each request with the
 * solvers' states, their next points and what the batch needs of those that stopped. Platform-free: the
 * worker entry (lbfgsbWorker.ts) connects it to Node's parentPort or a Web Worker's scope.
 *
 * @module
 */

import { LbfgsbSolver, type LbfgsbOptions } from './lbfgsb.ts';
import { type FromWorker, type SharedTables, STATE_FIELDS, type StartOrder, type ToWorker, writeState } from './workerProtocol.ts';

/** Where the host sends its answers. */
export type HostReply = (message: FromWorker, transfer: ArrayBuffer[]) => void;

/** Returns the handler of the batch's messages: call it with each message's data. */
export function solverHost(reply: HostReply): (message: ToWorker) => void {
  let dimension = 0;
  let options: LbfgsbOptions = {};
  let tables: { points: Float64Array; gradients: Float64Array } | null = null;
  const solvers: (LbfgsbSolver | null)[] = [];
  const spare: LbfgsbSolver[] = [];

  const start = (order: StartOrder): void => {
    const reused = spare.pop();
    const solver = reused ? reused.restart(order.x0, order.lower, order.upper) : new LbfgsbSolver(order.x0, order.lower, order.upper, options);
    if (order.f !== undefined) solver.tell(order.f, order.g!);
    solvers[order.slot] = solver;
  };

  /** The states of `slots`, the points of those running, the finals of those that stopped (whose solvers become spare). */
  const answer = (slots: Int32Array): void => {
    const n = dimension;
    const states = new Float64Array(slots.length * STATE_FIELDS);
    let running = 0;
    slots.forEach((slot, r) => {
      const solver = solvers[slot]!;
      writeState(solver, states, r);
      if (solver.pending() !== null) running++;
    });
    const points = tables ? null : new Float64Array(running * n);
    const finals: Extract<FromWorker, { kind: 'states' }>['finals'] = [];
    const transfer: ArrayBuffer[] = [states.buffer];
    let row = 0;
    for (const slot of slots) {
      const solver = solvers[slot]!;
      const point = solver.pending();
      if (point !== null) {
        if (tables) tables.points.set(point, slot * n);
        else points!.set(point, n * row++);
        continue;
      }
      const final = { slot, x: solver.x, g: solver.g, warnings: solver.warnings.slice() };
      finals.push(final);
      transfer.push(final.x.buffer as ArrayBuffer, final.g.buffer as ArrayBuffer);
      solvers[slot] = null;
      spare.push(solver);
    }
    if (points) transfer.push(points.buffer);
    reply({ kind: 'states', slots, states, points, finals }, transfer);
  };

  const handle = (message: ToWorker): void => {
    switch (message.kind) {
      case 'init':
        dimension = message.dimension;
        options = message.options;
        reply({ kind: 'ready' }, []);
        return;
      case 'tables':
        tables = viewsOf(message.tables);
        return;
      case 'start': {
        for (const order of message.orders) start(order);
        answer(Int32Array.from(message.orders, (o) => o.slot));
        return;
      }
      case 'tell': {
        const { slots, f, g } = message;
        const n = dimension;
        slots.forEach((slot, r) => {
          if (g) solvers[slot]!.tellAt(f[r], g, r * n);
          else solvers[slot]!.tellAt(f[r], tables!.gradients, slot * n);
        });
        answer(slots);
        return;
      }
    }
  };

  return (message) => {
    try {
      handle(message);
    } catch (error) {
      reply({ kind: 'failed', message: (error as Error).message }, []);
    }
  };
}

function viewsOf(tables: SharedTables): { points: Float64Array; gradients: Float64Array } {
  return { points: new Float64Array(tables.points), gradients: new Float64Array(tables.gradients) };
}
