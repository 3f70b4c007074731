import { describe, expect, it } from 'vitest';
import type { ParseWarning } from '../../../../src-main/core/model/records.js';
import { LineSplitter } from '../../../../src-main/core/parsers/text/line-splitter.js';

interface Seen {
  text: string;
  lineNo: number;
  raw: string | undefined;
}

function split(chunks: Buffer[], maxLineBytes?: number): { lines: Seen[]; warnings: ParseWarning[] } {
  const lines: Seen[] = [];
  const warnings: ParseWarning[] = [];
  const splitter = new LineSplitter((text, lineNo, raw, rawStart) => {
    lines.push({ text, lineNo, raw: raw?.toString('latin1', rawStart, rawStart + text.length) });
  }, (w) => warnings.push(w), maxLineBytes === undefined ? {} : { maxLineBytes });
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return { lines, warnings };
}

function chunked(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

describe('LineSplitter', () => {
  const ascii = ['2023-06-14 09:00:12,069 INFO  a.B [] - one', '', 'two', '\tat x.Y(Y.java:1)', 'last without newline'];
  const data = Buffer.from(ascii.join('\n'));

  it('gives the same lines for every chunking, with the raw bytes of ASCII lines', () => {
    for (const size of [1, 2, 3, 7, 16, 41, 42, 43, 64, data.length]) {
      const { lines, warnings } = split(chunked(data, size));
      expect(lines.map((l) => l.text), `chunk size ${size}`).toEqual(ascii);
      expect(lines.map((l) => l.lineNo)).toEqual([1, 2, 3, 4, 5]);
      for (const line of lines) if (line.raw !== undefined) expect(line.raw).toBe(line.text);
      expect(warnings).toEqual([]);
    }
    // In one chunk every line is inside the one ASCII region.
    expect(split([data]).lines.every((l) => l.raw === l.text)).toBe(true);
  });

  it('decodes UTF-8 and drops CR before LF; raw bytes for ASCII lines only', () => {
    const { lines } = split([Buffer.from('größe 5 µs\r\nplain\r\n日本\nlast')]);
    expect(lines.map((l) => l.text)).toEqual(['größe 5 µs', 'plain', '日本', 'last']);
    expect(lines.map((l) => l.raw)).toEqual([undefined, 'plain', undefined, 'last']);
    const crlf = split([Buffer.from('a\r\nb\r\n')]).lines;
    expect(crlf.map((l) => [l.text, l.raw])).toEqual([['a', 'a'], ['b', 'b']]);
  });

  it('keeps multi-byte characters whole across chunk boundaries', () => {
    const text = 'über\n日本語のログ\nend\n';
    const bytes = Buffer.from(text);
    for (let size = 1; size <= bytes.length; size++) {
      expect(split(chunked(bytes, size)).lines.map((l) => l.text), `chunk size ${size}`).toEqual(['über', '日本語のログ', 'end']);
    }
  });

  it('repairs bad bytes line by line and names the line', () => {
    const gbk = Buffer.from([0xc4, 0xe3, 0xba, 0xc3]); // 你好 in GBK, invalid as UTF-8
    const data = Buffer.concat([Buffer.from('ok\n'), gbk, Buffer.from('\nn\0ul\n\xff\xfe\n', 'latin1')]);
    const { lines, warnings } = split([data]);
    expect(lines.map((l) => l.text)).toEqual(['ok', '你好', 'nul', '\ufffd\ufffd']);
    expect(lines.every((l) => l.raw === undefined)).toBe(true);
    expect(warnings.map((w) => [w.line, w.message])).toEqual([
      [2, 'line 2: not valid UTF-8, decoded as GBK'],
      [3, 'line 3: NUL bytes removed'],
      [4, 'line 4: invalid UTF-8 bytes replaced with U+FFFD'],
    ]);
  });

  it('cuts overlong lines, also when they span chunks, and goes on with the next line', () => {
    const long = 'x'.repeat(100);
    const data = Buffer.from(`short\n${long}\nafter\n`);
    for (const size of [7, 30, data.length]) {
      const { lines, warnings } = split(chunked(data, size), 40);
      expect(lines.map((l) => l.text), `chunk size ${size}`).toEqual(['short', 'x'.repeat(40), 'after']);
      expect(warnings.some((w) => w.line === 2 && /longer than 40/.test(w.message))).toBe(true);
    }
  });

  it('decodes large chunks a slice of whole lines at a time, a line longer than a slice included', () => {
    const texts = Array.from({ length: 3000 }, (_, i) => `${i} ${'x'.repeat(i % 97)}`);
    texts.splice(1500, 0, 'L'.repeat(200_000), 'ü'.repeat(70_000));
    const data = Buffer.from(`${texts.join('\n')}\n`);
    const { lines, warnings } = split([data]);
    expect(lines.map((l) => l.text)).toEqual(texts);
    expect(lines.map((l) => l.raw)).toEqual(texts.map((t) => (t.startsWith('ü') ? undefined : t)));
    expect(warnings).toEqual([]);
  });
});
