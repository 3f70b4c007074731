import { describe, expect, it } from 'vitest';
import { ByteSource } from '../../../src-main/core/archive/byte-source.js';
import { looksLikeYarnAggregatedLog, YarnLogSplitter } from '../../../src-main/core/archive/yarn-aggregated.js';

const HADOOP3 = [
  'Container: container_e12_1686000000000_0001_01_000003 on host-7_45454',
  'LogAggregationType: AGGREGATED',
  '=====================================================================',
  'LogType:taskmanager.log',
  'LogLastModifiedTime:Wed Jun 14 09:40:12 +0000 2023',
  'LogLength:13',
  'LogContents:',
  'line 1\nline 2',
  'End of LogType:taskmanager.log.This log file belongs to a running container (container_e12_1686000000000_0001_01_000003) and so may not be complete.',
  '*******************************************************************************',
  '',
  'Container: container_e12_1686000000000_0001_01_000003 on host-7_45454',
  'LogAggregationType: AGGREGATED',
  '=====================================================================',
  'LogType:taskmanager.err',
  'LogLastModifiedTime:Wed Jun 14 09:40:12 +0000 2023',
  'LogContents:',
  'End of LogType:taskmanager.err',
  '',
].join('\n');

// Hadoop < 2.8 wrote no end line: only LogLength tells where a file stops.
const HADOOP26 = 'Container: container_1_0001_01_000001 on h_1\n=====\nLogType:stdout\nLog Upload Time:x\nLogLength:5\nLog Contents:\nhello\nLogType:stderr\nLog Upload Time:x\nLogLength:0\nLog Contents:\n\n';

async function* fromChunks(chunks: readonly Buffer[]): AsyncGenerator<Buffer> {
  yield* chunks;
}

async function split(text: string, chunkSize: number): Promise<{ sections: Array<[string, string, string]>; warnings: string[] }> {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) chunks.push(bytes.subarray(at, at + chunkSize));
  const warnings: string[] = [];
  const splitter = new YarnLogSplitter(new ByteSource(fromChunks(chunks)), (message) => warnings.push(message));
  const sections: Array<[string, string, string]> = [];
  for (let next = await splitter.nextSection(); next !== undefined; next = await splitter.nextSection()) {
    const parts: Buffer[] = [];
    for await (const chunk of next.content) parts.push(chunk);
    sections.push([next.section.containerId ?? '', next.section.logType, Buffer.concat(parts).toString()]);
  }
  return { sections, warnings };
}

describe('YarnLogSplitter', () => {
  for (const chunkSize of [1, 3, 7, 64, 100_000]) {
    it(`splits Hadoop 3 output read in ${chunkSize}-byte chunks`, async () => {
      expect(await split(HADOOP3, chunkSize)).toEqual({
        sections: [
          ['container_e12_1686000000000_0001_01_000003', 'taskmanager.log', 'line 1\nline 2'],
          ['container_e12_1686000000000_0001_01_000003', 'taskmanager.err', ''],
        ],
        warnings: [],
      });
    });
  }

  it('splits Hadoop 2.6 output, which has no end lines, by LogLength', async () => {
    expect(await split(HADOOP26, 5)).toEqual({
      sections: [
        ['container_1_0001_01_000001', 'stdout', 'hello'],
        ['container_1_0001_01_000001', 'stderr', ''],
      ],
      warnings: [],
    });
  });

  it('warns when the text after a LogLength is not a section end', async () => {
    const edited = HADOOP26.replace('LogLength:5', 'LogLength:3');
    const { sections, warnings } = await split(edited, 4);
    expect(sections[0]).toEqual(['container_1_0001_01_000001', 'stdout', 'hel']);
    expect(warnings).toEqual([
      'section container_1_0001_01_000001/stdout: the text after its LogLength of 3 bytes is not a section end; the file may have been edited (line endings?) and the section may be cut short',
    ]);
  });

  it('skips a section its reader leaves unread', async () => {
    const splitter = new YarnLogSplitter(new ByteSource(fromChunks([Buffer.from(HADOOP3)])), () => undefined);
    const first = await splitter.nextSection();
    expect(first?.section.logType).toBe('taskmanager.log');
    const second = await splitter.nextSection();
    expect(second?.section.logType).toBe('taskmanager.err');
  });

  it('sniffs the header from the first KBs only', () => {
    expect(looksLikeYarnAggregatedLog(Buffer.from(HADOOP3))).toBe(true);
    expect(looksLikeYarnAggregatedLog(Buffer.from('LogType:x\nLog Contents:\n'))).toBe(false);
    expect(looksLikeYarnAggregatedLog(Buffer.from(`${'x'.repeat(20_000)}\n${HADOOP3}`))).toBe(false);
  });
});
