/**
 * The `attack` namespace of the public API: the blind-spot search (batched L-BFGS-B per (image, target)
 * with a search over the penalty constant c), its targets and its c search.
 */
export {
  findBlindSpots,
  ATTACK_LBFGSB,
  ATTACK_WORKERS,
  ATTACK_WORKERS_FROM,
  ATTACK_WARM_START,
  classifiedAs,
  targetLead,
  distortion,
  type AttackOptions,
  type AttackProgress,
  type AttackReport,
  type AttackImage,
  type AttackExample,
} from './attack.ts';
export { CSearch, DEFAULT_C_SEARCH, EXHAUSTIVE_C_SEARCH, describeCSearch, type CSearchOptions, type CTrial } from './cSearch.ts';
export { chooseTargets, type TargetMode } from './targets.ts';
