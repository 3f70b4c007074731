import type { TextParserFactory } from '../types.js';

/** Placeholder until this parser lands. */
export const createGcLogParser: TextParserFactory = () => {
  throw new Error('not implemented');
};
