import type { BufferParser } from '../types.js';

/** Placeholder until this parser lands. */
export const parseRestJson: BufferParser = () => {
  throw new Error('not implemented');
};
