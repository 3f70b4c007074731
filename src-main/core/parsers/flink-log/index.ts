import type { TextParserFactory } from '../types.js';

/** Placeholder until the Flink log parser lands. */
export const createFlinkLogParser: TextParserFactory = () => {
  throw new Error('not implemented');
};
