/** The numbers Szegedy et al. (2014) report for MNIST (Tables 1–4), to print beside ours. */

/** Table 1: training error, test error, av. min. distortion (attacks on the training set). */
export const PAPER_TABLE1: Record<string, { train: number; test: number; distortion: number }> = {
  'FC10(1e-4)': { train: 0.067, test: 0.074, distortion: 0.062 },
  'FC10(1e-2)': { train: 0.1, test: 0.094, distortion: 0.1 },
  'FC10(1)': { train: 0.212, test: 0.2, distortion: 0.14 },
  'FC100-100-10': { train: 0, test: 0.0164, distortion: 0.058 },
  'FC200-200-10': { train: 0, test: 0.0154, distortion: 0.065 },
  'AE400-10': { train: 0.0057, test: 0.019, distortion: 0.086 },
};

/** The models of Tables 1 and 2, in the paper's order. */
export const TABLE1_MODELS = Object.keys(PAPER_TABLE1);

/** Table 2: error induced on each column model by the row's examples. */
export const PAPER_TABLE2: Record<string, Record<string, number>> = {
  'FC10(1e-4)': { 'FC10(1e-4)': 1, 'FC10(1e-2)': 0.117, 'FC10(1)': 0.227, 'FC100-100-10': 0.02, 'FC200-200-10': 0.039, 'AE400-10': 0.027 },
  'FC10(1e-2)': { 'FC10(1e-4)': 0.871, 'FC10(1e-2)': 1, 'FC10(1)': 0.352, 'FC100-100-10': 0.359, 'FC200-200-10': 0.273, 'AE400-10': 0.098 },
  'FC10(1)': { 'FC10(1e-4)': 0.719, 'FC10(1e-2)': 0.762, 'FC10(1)': 1, 'FC100-100-10': 0.481, 'FC200-200-10': 0.47, 'AE400-10': 0.344 },
  'FC100-100-10': { 'FC10(1e-4)': 0.289, 'FC10(1e-2)': 0.137, 'FC10(1)': 0.211, 'FC100-100-10': 1, 'FC200-200-10': 0.066, 'AE400-10': 0.02 },
  'FC200-200-10': { 'FC10(1e-4)': 0.382, 'FC10(1e-2)': 0.14, 'FC10(1)': 0.238, 'FC100-100-10': 0.203, 'FC200-200-10': 1, 'AE400-10': 0.027 },
  'AE400-10': { 'FC10(1e-4)': 0.234, 'FC10(1e-2)': 0.16, 'FC10(1)': 0.248, 'FC100-100-10': 0.094, 'FC200-200-10': 0.066, 'AE400-10': 1 },
  'Gaussian noise σ=0.1': { 'FC10(1e-4)': 0.05, 'FC10(1e-2)': 0.101, 'FC10(1)': 0.183, 'FC100-100-10': 0, 'FC200-200-10': 0, 'AE400-10': 0.008 },
  'Gaussian noise σ=0.3': { 'FC10(1e-4)': 0.156, 'FC10(1e-2)': 0.113, 'FC10(1)': 0.227, 'FC100-100-10': 0.05, 'FC200-200-10': 0.043, 'AE400-10': 0.031 },
};

/**
 * Table 3's models: name in the tables, zoo model, training set. The names carry the training set so they
 * never collide with Table 1's FC100-100-10, which is trained on all 60 000 images.
 */
export const TABLE3_MODELS = [
  { name: 'FC100-100-10 (P1)', model: 'FC100-100-10', set: 'P1' },
  { name: 'FC123-456-10 (P1)', model: 'FC123-456-10', set: 'P1' },
  { name: "FC100-100-10' (P2)", model: 'FC100-100-10', set: 'P2' },
] as const;

export const PAPER_TABLE3: Record<string, { p1: number; p2: number; test: number; distortion: number }> = {
  'FC100-100-10 (P1)': { p1: 0, p2: 0.024, test: 0.02, distortion: 0.062 },
  'FC123-456-10 (P1)': { p1: 0, p2: 0.025, test: 0.021, distortion: 0.059 },
  "FC100-100-10' (P2)": { p1: 0.023, p2: 0, test: 0.021, distortion: 0.058 },
};

/** Table 4: error induced on each column model (attacks on the test set). */
export const PAPER_TABLE4: Record<string, Record<string, number>> = {
  'FC100-100-10 (P1)': { 'FC100-100-10 (P1)': 1, 'FC123-456-10 (P1)': 0.262, "FC100-100-10' (P2)": 0.059 },
  'FC123-456-10 (P1)': { 'FC100-100-10 (P1)': 0.0625, 'FC123-456-10 (P1)': 1, "FC100-100-10' (P2)": 0.051 },
  "FC100-100-10' (P2)": { 'FC100-100-10 (P1)': 0.082, 'FC123-456-10 (P1)': 0.082, "FC100-100-10' (P2)": 1 },
  'Gaussian noise σ=0.06': { 'FC100-100-10 (P1)': 0.022, 'FC123-456-10 (P1)': 0.026, "FC100-100-10' (P2)": 0.024 },
  'FC100-100-10 (P1) amplified to 0.1': { 'FC100-100-10 (P1)': 1, 'FC123-456-10 (P1)': 0.98, "FC100-100-10' (P2)": 0.43 },
  'FC123-456-10 (P1) amplified to 0.1': { 'FC100-100-10 (P1)': 0.96, 'FC123-456-10 (P1)': 1, "FC100-100-10' (P2)": 0.22 },
  "FC100-100-10' (P2) amplified to 0.1": { 'FC100-100-10 (P1)': 0.27, 'FC123-456-10 (P1)': 0.5, "FC100-100-10' (P2)": 1 },
  'Gaussian noise σ=0.1': { 'FC100-100-10 (P1)': 0.026, 'FC123-456-10 (P1)': 0.028, "FC100-100-10' (P2)": 0.027 },
};

/**
 * Table 5 (§4.3): the upper Lipschitz bounds the paper gives per layer of AlexNet (ImageNet). Quoted for
 * context only: no ImageNet weights are reachable here, so these cannot be reproduced.
 */
export const PAPER_TABLE5 = {
  conv: [2.75, 10, 7, 7.5, 11],
  fullyConnected: [3.12, 4, 4],
} as const;

/**
 * §4.2's test errors of a 100-100-10 net: with weight decay alone, with "carefully applied" dropout, and
 * trained with adversarial pools ("below 1.2%").
 */
export const PAPER_HARDENING = { weightDecay: 0.016, dropout: 0.013, adversarial: 0.012 } as const;
