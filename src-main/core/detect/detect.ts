import type { Detection } from '../model/source.js';

/** How many leading bytes content sniffing may look at. */
export const SNIFF_BYTES = 64 * 1024;

/** Placeholder until detection lands. */
export function detect(name: string, head: Buffer): Detection {
  return { kind: 'unknown', format: 'unknown', reason: `not yet detected: ${name} (${head.length} bytes)` };
}
