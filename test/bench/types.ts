import type { BundleSummary } from '../synth/generate.js';

/**
 * A bench module measures one figure family against the shared synthetic bundle. run.ts runs the modules in
 * order and prints their figures and budget verdicts; adding a figure (UI timeline, …) means adding a module
 * to the list in run.ts.
 */
export interface BenchContext {
  /** The generated (or reused) bundle and its file list. */
  bundle: BundleSummary;
  /** Scratch folder for outputs such as the incident file. */
  workDir: string;
  repoRoot: string;
  /** How often a module that compares against a baseline (ingest vs lnav) measures both, alternating. */
  rounds: number;
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
}

export interface Verdict {
  budget: string;
  pass: boolean;
  detail: string;
}

export interface BenchResult {
  figures: Figure[];
  verdicts: Verdict[];
  notes: string[];
}

export interface BenchModule {
  name: string;
  run(context: BenchContext): Promise<BenchResult>;
}

/** Thrown when a module cannot measure at all (e.g. the CLI is not built); run.ts reports it and fails. */
export class BenchUnavailable extends Error {}
