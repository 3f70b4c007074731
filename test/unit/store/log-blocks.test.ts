import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Level } from '../../../src-main/core/model/records.js';
import { LineSplitter } from '../../../src-main/core/parsers/text/line-splitter.js';
import { BLOCK_MAX_LINES, decodeBlock, LogBlockBuilder, type EncodedBlock } from '../../../src-main/core/store/log-blocks.js';

function decodeAll(blocks: EncodedBlock[]): Array<{ line: number; text: string; tsUs: number | null; level: Level; continuation: boolean }> {
  return blocks
    .sort((a, b) => a.blockNo - b.blockNo)
    .flatMap((b) => decodeBlock({ first_line: b.firstLine, line_count: b.lineCount, ts_min_us: b.tsMinUs, codec: b.codec, line_index: b.lineIndex, text: b.text }));
}

describe('LogBlockBuilder', () => {
  it('stores raw byte runs and encoded lines alike: every line decodes as it was given, whatever the input buffer does after', async () => {
    // Mixed input: ASCII regions (kept as raw bytes), a UTF-8 region and a CRLF region (encoded), cut into chunks.
    const texts: string[] = [];
    for (let i = 0; i < 3 * BLOCK_MAX_LINES + 17; i++) {
      if (i % 997 === 5) texts.push(`line ${i} größe µs`);
      else if (i % 1301 === 7) texts.push(`line ${i} with crlf\r`);
      else texts.push(i % 50 === 0 ? '' : `2024-03-01 10:00:${String(i % 60).padStart(2, '0')},000 INFO  a.B [] - message ${i}`);
    }
    const data = Buffer.from(texts.join('\n'));
    const blocks: EncodedBlock[] = [];
    for (const inline of [true, false]) {
      blocks.length = 0;
      const builder = new LogBlockBuilder((b) => blocks.push(b), () => inline);
      const splitter = new LineSplitter((text, lineNo, raw, rawStart) => {
        builder.add(lineNo, text, lineNo * 1000, lineNo % 7 === 0 ? Level.Warn : Level.Info, lineNo % 5 === 0, raw, rawStart);
      }, () => undefined);
      // One input buffer, reused for every chunk and scribbled over after each, as the file reader does.
      const input = Buffer.alloc(65_537);
      for (let i = 0; i < data.length; i += input.length) {
        const n = data.copy(input, 0, i, i + input.length);
        splitter.push(input.subarray(0, n));
        builder.releaseInput();
        input.fill('#');
      }
      splitter.end();
      builder.flush();
      await builder.drain();
      const decoded = decodeAll(blocks);
      expect(decoded.map((l) => l.text)).toEqual(texts.map((t) => t.replace(/\r$/, '')));
      expect(decoded.map((l) => l.line)).toEqual(texts.map((_, i) => i + 1));
      expect(decoded.every((l) => l.tsUs === l.line * 1000)).toBe(true);
      expect(decoded.every((l) => l.level === (l.line % 7 === 0 ? Level.Warn : Level.Info) && l.continuation === (l.line % 5 === 0))).toBe(true);
      expect(blocks.every((b) => b.lineCount <= BLOCK_MAX_LINES)).toBe(true);
    }
  });

  it('keeps lines without time as such and counts levels of record starts only', async () => {
    const blocks: EncodedBlock[] = [];
    const builder = new LogBlockBuilder((b) => blocks.push(b));
    builder.add(1, 'a', 5_000, Level.Error, false);
    builder.add(2, 'b', Number.NaN, Level.Error, true);
    builder.add(3, 'c', 9_000, Level.Debug, false);
    builder.flush();
    await builder.drain();
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ firstLine: 1, lineCount: 3, tsMinUs: 5_000, tsMaxUs: 9_000, levelCounts: [0, 1, 0, 0, 1] });
    expect(decodeAll(blocks).map((l) => [l.text, l.tsUs])).toEqual([['a', 5_000], ['b', null], ['c', 9_000]]);
  });

  it('reads blocks of files written before schema 3 (raw deflate) and refuses an unknown codec', () => {
    const index = Buffer.alloc(10);
    index[0] = Level.Info;
    index[1] = Level.Warn | 0x80;
    index.writeUInt32LE(0, 2);
    index.writeUInt32LE(0xffffffff, 6);
    const row = { first_line: 7, line_count: 2, ts_min_us: 1_000, codec: 'deflate', line_index: deflateRawSync(index), text: deflateRawSync(Buffer.from('first\nsecond')) };
    expect(decodeBlock(row)).toEqual([
      { line: 7, text: 'first', tsUs: 1_000, level: Level.Info, continuation: false },
      { line: 8, text: 'second', tsUs: null, level: Level.Warn, continuation: true },
    ]);
    expect(() => decodeBlock({ ...row, codec: 'zstd' })).toThrow("log block compressed with unknown codec 'zstd'");
  });
});
