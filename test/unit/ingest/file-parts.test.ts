import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findCuts } from '../../../src-main/core/ingest/file-parts.js';

const work = mkdtempSync(join(tmpdir(), 'sluice-file-parts-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const startsRecord = (line: string): boolean => line.startsWith('REC ');

function file(name: string, text: string): { path: string; size: number } {
  const path = join(work, name);
  writeFileSync(path, text);
  return { path, size: Buffer.byteLength(text) };
}

describe('findCuts', () => {
  it('cuts at the first accepted line start at or after each even offset', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? `REC ${i}` : `  continued ${i}`));
    const text = `${lines.join('\n')}\n`;
    const { path, size } = file('plain.log', text);
    const cuts = await findCuts(path, size, 2, startsRecord);
    expect(cuts).toHaveLength(1);
    const cut = cuts[0]!;
    expect(cut).toBeGreaterThanOrEqual(Math.floor(size / 2));
    expect(text[cut - 1]).toBe('\n');
    expect(text.slice(cut)).toMatch(/^REC \d+\n/);
    // No accepted line start between the even offset and the cut.
    expect(text.slice(Math.floor(size / 2), cut - 1)).not.toMatch(/\nREC /);
    const three = await findCuts(path, size, 3, startsRecord);
    expect(three).toHaveLength(2);
    expect(three[0]!).toBeLessThan(three[1]!);
  });

  it('takes a line that starts exactly at the even offset, and reads CRLF lines', async () => {
    const { path, size } = file('crlf.log', 'REC a\r\nREC b\r\n');
    expect(await findCuts(path, size, 2, startsRecord)).toEqual([7]);
    const exact = file('exact.log', 'REC 1\nREC 2\n');
    expect(await findCuts(exact.path, exact.size, 2, (line) => line === 'REC 2')).toEqual([6]);
  });

  it('leaves a cut out where no accepted line starts after the offset, or the last line is not whole', async () => {
    const noRecord = file('none.log', `REC 0\n${'  continued\n'.repeat(50)}`);
    expect(await findCuts(noRecord.path, noRecord.size, 2, startsRecord)).toEqual([]);
    const unterminated = file('open.log', `REC 0\n${'  x\n'.repeat(20)}REC without its newline`);
    expect(await findCuts(unterminated.path, unterminated.size, 2, startsRecord)).toEqual([]);
  });
});
