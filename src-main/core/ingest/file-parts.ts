import { open } from 'node:fs/promises';

/** Bytes searched after each even offset for a line where a part may start; records are far shorter. */
const SEARCH_BYTES = 1 << 20;
/** Characters of a line handed to `startsPart`: a record header is well within them. */
const HEAD_CHARS = 512;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Offsets that cut a file of `size` bytes into `count` parts of about equal size: each is the start of the first
 * line at or after an even offset that `startsPart` accepts (a record start). A cut with no such line within
 * SEARCH_BYTES is left out, so fewer parts may come back (none: `[]`).
 */
export async function findCuts(path: string, size: number, count: number, startsPart: (line: string) => boolean): Promise<number[]> {
  const cuts: number[] = [];
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(SEARCH_BYTES);
    for (let part = 1; part < count; part++) {
      const from = Math.max(Math.floor((size * part) / count), (cuts.at(-1) ?? 0) + 1);
      const { bytesRead } = await handle.read(buffer, 0, SEARCH_BYTES, from - 1);
      const cut = firstPartStart(buffer.subarray(0, bytesRead), startsPart);
      if (cut !== undefined && from - 1 + cut < size) cuts.push(from - 1 + cut);
    }
  } finally {
    await handle.close();
  }
  return cuts;
}

/** In bytes read from just before a candidate line, the offset of the first line start `startsPart` accepts. */
function firstPartStart(bytes: Buffer, startsPart: (line: string) => boolean): number | undefined {
  for (let lf = bytes.indexOf(LF); lf >= 0; lf = bytes.indexOf(LF, lf + 1)) {
    const start = lf + 1;
    let end = bytes.indexOf(LF, start);
    // A line that runs past the bytes read is not known to be whole, and so not a place to cut.
    if (end < 0) return undefined;
    if (end > start && bytes[end - 1] === CR) end--;
    if (startsPart(bytes.toString('latin1', start, Math.min(end, start + HEAD_CHARS)))) return start;
  }
  return undefined;
}
