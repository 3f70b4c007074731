import type { WalkOptions } from './types.js';

/** Placeholder until archive intake lands. */
export async function walkInputs(inputs: readonly string[], options: WalkOptions): Promise<void> {
  void inputs;
  void options;
  throw new Error('not implemented');
}
