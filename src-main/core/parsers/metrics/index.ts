import type { TextParserFactory } from '../types.js';

/** Placeholder until this parser lands. */
export const createMetricsParser: TextParserFactory = () => {
  throw new Error('not implemented');
};
