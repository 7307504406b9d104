/**
 * The speed aims of the issue, as ratios of blindspot to a peer in the same run (> 1: blindspot faster).
 * Checked per run (browser and Node alike); a peer or workload missing from a run leaves the aim open.
 */
import type { SuiteResult } from './types.ts';

export interface Aim {
  workload: string;
  peer: string;
  atLeast: number;
}

/**
 * TensorFlow.js's aims come from the first benchmark issue; issue 19 adds the FC layer against tfjs-webgl
 * and jax-js's WebGPU device (the strongest current browser engine with autodiff) at parity or better on
 * every workload the others are aimed at. jax-js's wasm device is a CPU engine, shown but not aimed at.
 */
export const AIMS: Aim[] = [
  { workload: 'matmul-512', peer: 'tfjs-webgpu', atLeast: 3 },
  { workload: 'matmul-512', peer: 'tfjs-webgl', atLeast: 1 },
  { workload: 'matmul-512', peer: 'jaxjs-webgpu', atLeast: 1 },
  { workload: 'matmul-1024', peer: 'tfjs-webgpu', atLeast: 3 },
  { workload: 'matmul-1024', peer: 'tfjs-webgl', atLeast: 1 },
  { workload: 'matmul-1024', peer: 'jaxjs-webgpu', atLeast: 1 },
  { workload: 'matmul-fc1', peer: 'tfjs-webgl', atLeast: 1 },
  { workload: 'matmul-fc1', peer: 'jaxjs-webgpu', atLeast: 1 },
  { workload: 'mlp-step', peer: 'tfjs-webgpu', atLeast: 2 },
  { workload: 'mlp-step', peer: 'tfjs-webgl', atLeast: 1 },
  { workload: 'mlp-step', peer: 'jaxjs-webgpu', atLeast: 1 },
  { workload: 'conv2d-c2-grad', peer: 'tfjs-webgpu', atLeast: 3 },
  { workload: 'conv2d-c2-grad', peer: 'jaxjs-webgpu', atLeast: 1 },
  { workload: 'conv2d-wide-grad', peer: 'tfjs-webgpu', atLeast: 3 },
  { workload: 'conv2d-wide-grad', peer: 'jaxjs-webgpu', atLeast: 1 },
  { workload: 'convnet-step', peer: 'jaxjs-webgpu', atLeast: 1 },
  { workload: 'input-grad', peer: 'tfjs-webgpu', atLeast: 2 },
  { workload: 'input-grad', peer: 'jaxjs-webgpu', atLeast: 1 },
];

export interface AimOutcome extends Aim {
  /** Ratio of medians, or undefined when it could not be measured in this run. */
  ratio?: number;
  /** Range of the per-round ratios. */
  pairedMin?: number;
  pairedMax?: number;
  status: 'met' | 'short' | 'not measured';
  why?: string;
}

export function checkAims(run: SuiteResult): AimOutcome[] {
  return AIMS.map((aim) => {
    const result = run.workloads.find((w) => w.workload === aim.workload);
    if (!result) return { ...aim, status: 'not measured', why: 'workload not in this run' };
    const ratio = result.ratios.find((r) => r.peer === aim.peer);
    if (!ratio) {
      const why = ['blindspot', aim.peer]
        .map((id) => ({ id, cell: result.cells.find((c) => c.contestant === id) }))
        .map(({ id, cell }) =>
          !cell ? `${id} not in this run` : cell.status !== 'ok' || !cell.ms ? `${id}: ${cell.status}${cell.reason ? ` (${cell.reason})` : ''}` : '',
        )
        .filter(Boolean)
        .join('; ');
      return { ...aim, status: 'not measured', why: why || 'no timing' };
    }
    return {
      ...aim,
      ratio: ratio.ratio,
      pairedMin: ratio.paired?.min,
      pairedMax: ratio.paired?.max,
      status: ratio.ratio >= aim.atLeast ? 'met' : 'short',
    };
  });
}
