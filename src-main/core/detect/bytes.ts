/** First look at the raw bytes: binary or text, and which text encoding. */

export type ByteVerdict =
  | { type: 'empty' }
  | { type: 'jfr' }
  | { type: 'gzip' }
  | { type: 'binary'; reason: string }
  | { type: 'utf16'; text: string }
  | { type: 'text'; text: string; note?: string };

const JFR_MAGIC = 0x464c5200; // 'FLR\0'
/** Control bytes other than tab, newline, carriage return, form feed and ESC (ANSI colours in logs). */
const MAX_CONTROL_RATIO = 0.1;
/** A crash can leave a log with NUL padding at its end; text before it this long is still judged as text. */
const MIN_TEXT_BEFORE_PADDING = 512;

export function inspectBytes(head: Buffer): ByteVerdict {
  if (head.length === 0) return { type: 'empty' };
  if (head.length >= 4 && head.readUInt32BE(0) === JFR_MAGIC) return { type: 'jfr' };
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return { type: 'gzip' };
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) {
    return { type: 'utf16', text: decodeUtf16(head) };
  }
  const firstNul = head.indexOf(0);
  let body = head;
  let note: string | undefined;
  if (firstNul >= 0) {
    const nuls = countNul(head);
    if (firstNul >= MIN_TEXT_BEFORE_PADDING && isMostlyNul(head.subarray(firstNul))) {
      body = head.subarray(0, firstNul);
      note = `NUL padding from byte ${firstNul} ignored`;
    } else if (nuls <= head.length * 0.005) {
      // A few stray NULs (a crash mid-write, copytruncate rotation) do not make a log binary.
      body = Buffer.from(head.filter((byte) => byte !== 0));
      note = `${nuls} stray NUL byte${nuls === 1 ? '' : 's'} ignored`;
    } else {
      return { type: 'binary', reason: `NUL bytes in first ${sizeLabel(head.length)} (first at byte ${firstNul}): binary` };
    }
  }
  let control = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c && byte !== 0x1b) control++;
    else if (byte === 0x7f) control++;
  }
  if (control > body.length * MAX_CONTROL_RATIO) {
    return { type: 'binary', reason: `${Math.round((100 * control) / body.length)}% control bytes in first ${sizeLabel(body.length)}: binary` };
  }
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return note === undefined ? { type: 'text', text } : { type: 'text', text, note };
}

function countNul(bytes: Buffer): number {
  let nul = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0) nul++;
  return nul;
}

function isMostlyNul(tail: Buffer): boolean {
  let nul = 0;
  for (let i = 0; i < tail.length; i++) if (tail[i] === 0) nul++;
  return nul >= tail.length * 0.9;
}

function decodeUtf16(head: Buffer): string {
  const body = Buffer.from(head.subarray(2, head.length - (head.length % 2)));
  if (head[0] === 0xfe) body.swap16();
  return body.toString('utf16le');
}

export function sizeLabel(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
