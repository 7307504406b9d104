/**
 * The physical limit a result is measured against. On a CPU-backed adapter (SwiftShader) it is the
 * machine's own single-precision peak, measured once per run by the runner with numpy's sgemm (see
 * run.mjs); on a GPU it is the vendor's published FP32 peak (non-tensor-core), looked up by name.
 */

export interface Peak {
  gflops: number;
  source: string;
}

/** Published FP32 peaks (GFLOP/s, boost clock, no tensor cores), matched against the adapter's text. */
const PUBLISHED: [RegExp, number][] = [
  [/h100.*pcie/i, 51_200],
  [/h100|h200|gh200/i, 66_900],
  [/a100/i, 19_500],
  [/\bl4\b/i, 30_300],
  [/\bt4\b/i, 8_100],
  [/rtx 4090/i, 82_600],
  [/rtx 4080/i, 48_700],
  [/rtx 3090/i, 35_600],
  [/rtx 3080/i, 29_800],
  [/rtx 3060/i, 12_700],
  [/rtx 2080 ti/i, 13_400],
  [/gtx 1080 ti/i, 11_300],
  [/rx 7900 xtx/i, 61_400],
  [/rx 6900 xt/i, 23_000],
  [/rx 6800 xt/i, 20_700],
  [/arc a770/i, 19_700],
  [/apple m1 max/i, 10_400],
  [/apple m1 pro/i, 5_200],
  [/apple m1\b/i, 2_600],
  [/apple m2 max/i, 13_600],
  [/apple m2 pro/i, 6_800],
  [/apple m2\b/i, 3_600],
];

/** The published peak of a GPU whose adapter text (vendor, architecture, device, description) matches. */
export function publishedGpuPeak(adapterText: string): Peak | undefined {
  for (const [pattern, gflops] of PUBLISHED) {
    if (pattern.test(adapterText)) return { gflops, source: `published FP32 peak for ${pattern.source.replace(/\\b/g, '')} (bench/peaks.ts)` };
  }
  return undefined;
}

/** What the runner measured on this machine's CPU (numpy float32 matmul 1024², best of several). */
export interface CpuPeak {
  oneThreadGflops: number;
  allThreadsGflops: number;
  threads: number;
  method: string;
}
