import type { BufferParser } from '../types.js';

/** Placeholder until this parser lands. */
export const parseFlame: BufferParser = () => {
  throw new Error('not implemented');
};
