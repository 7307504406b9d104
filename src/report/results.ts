/** The numbers of Tables 1–4 as plain data: what `reproduce` computes and saves, and what the report renders. */
import type { TrainingRecord } from '../nn/trainingRecord.ts';

/** A model a run attacked: its checkpoint, whether this run trained it, and how it was trained. */
export interface UsedModel {
  checkpoint: string;
  trainedHere: boolean;
  record: TrainingRecord;
}

export interface AttackSummary {
  attacked: number;
  misclassifiedBefore: number;
  successes: number;
  failures: number;
  meanDistortion: number | null;
  seconds: number;
}

export interface Table1Row {
  model: string;
  trainError: number;
  testError: number;
  randomTarget: AttackSummary;
  allNineTargets: AttackSummary;
}

/** A transfer table: each row a set of images, each column the error it induces on a model. */
export interface TransferRow {
  source: string;
  /** Images in the row. */
  count: number;
  /** Mean per-image distortion of the row (RMS per pixel), measured. */
  distortion: number;
  errors: Record<string, number>;
}

export interface TransferTable {
  columns: string[];
  rows: TransferRow[];
}

export interface Table3Row {
  model: string;
  p1Error: number;
  p2Error: number;
  testError: number;
  attack: AttackSummary;
}

export interface TableResults {
  table1: Table1Row[];
  table2: TransferTable;
  table3: Table3Row[];
  table4: TransferTable;
}

/** One model of the adversarial-training comparison, attacked again. */
export interface HardenedRow {
  /** Its name in the tables, e.g. "FC100-100-10 (adversarial input layer0 layer1)". */
  model: string;
  /** What it is: "weight decay alone (the zoo's)", or its variant and settings. */
  training: string;
  /** How it was trained: the zoo's own model, or the kind of `blindspot harden` run. */
  kind: 'zoo' | 'adversarial' | 'noise' | 'dropout' | 'plain';
  /** Its SGD budget in words ("SGD: 25 epochs, batch 128, …"); rows are compared within a budget. */
  budget: string;
  trainError: number;
  testError: number;
  /** Minutes its training took, of those the searches' (adversarial pools only), and the GPU wait in all. */
  minutes: number;
  searchMinutes: number | null;
  gpuWaitMinutes: number | null;
  randomTarget: AttackSummary;
  allNineTargets: AttackSummary;
  /** Its error on the held-out adversarial set it followed during training (see `heldOut`). */
  heldOutError: number | null;
  heldOut: string | null;
}

/** The adversarial-training section: the models, and transfer to and from them. */
export interface HardeningResults {
  rows: HardenedRow[];
  /** Sets made for the zoo's models (rows), error induced on the compared models (columns). */
  into: TransferTable;
  /** Sets made for the compared models (rows), error induced on the zoo's models (columns). */
  from: TransferTable;
}
