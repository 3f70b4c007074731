import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flinkLogParts } from '../../../../src-main/core/parsers/flink-log/index.js';
import { joinLineWarnings } from '../../../../src-main/core/parsers/text/line-splitter.js';
import { DEFAULT_SEED, generateBundle } from '../../../synth/generate.js';
import { parse, parseInParts, render, type Parsed } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'sluice-parts-'));
const logs = new Map<string, string[]>();

beforeAll(async () => {
  await generateBundle({
    scenario: 'tm-lost', version: '1.17', tms: 2, out: work, sizeBytes: null, seed: DEFAULT_SEED,
    archive: 'none', debug: true, nearMiss: false, mixedVersions: false, nestJmLogs: false,
  });
  for (const file of readdirSync(work, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.log') && !f.includes('gc'))) {
    logs.set(file, readFileSync(join(work, file), 'utf8').split('\n'));
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const stamp = (second: number): string =>
  new Date(Date.UTC(2023, 5, 14, 9, 0, 0) + second * 1000).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
const info = (second: number, message: string, logger = 'org.apache.flink.runtime.taskexecutor.TaskExecutor'): string =>
  render('log4j2', stamp(second), 'INFO', logger, message);
const askTimeout = (second: number): string[] => [
  render('log4j2', stamp(second), 'WARN', 'org.apache.flink.runtime.rest.handler.legacy.metrics.MetricFetcherImpl', 'Requesting TaskManager\'s path for query services failed.'),
  'java.util.concurrent.CompletionException: akka.pattern.AskTimeoutException: Ask timed out on [Actor[akka://flink/user/rpc/dispatcher_0#1]] after [10000 ms].',
  '\tat java.util.concurrent.CompletableFuture.encodeThrowable(CompletableFuture.java:331) ~[?:?]',
];

/** Line indexes where a part may start: the lines the ingest's cut finder accepts. */
function recordStarts(lines: readonly string[]): number[] {
  return lines.flatMap((line, index) => (index > 0 && flinkLogParts.startsPart(line) ? [index] : []));
}

function expectSameAsOnePass(parts: Parsed | { unclean: string }, whole: Parsed): void {
  if ('unclean' in parts) throw new Error(`parts unclean: ${parts.unclean}`);
  expect(parts.events).toEqual(whole.events);
  expect(parts.warnings).toEqual(whole.warnings);
  expect(parts.merged).toEqual(whole.merged);
  expect(parts.lines).toEqual(whole.lines);
}

describe('a Flink log read in parts', () => {
  it('gives the records of one pass wherever the parts join cleanly (generated JobManager and TaskManager logs)', () => {
    expect(logs.size).toBeGreaterThanOrEqual(3);
    let clean = 0;
    for (const [file, lines] of logs) {
      const path = file.split('/').pop()!;
      const whole = parse(lines, { path });
      const starts = recordStarts(lines);
      expect(starts.length, file).toBeGreaterThan(20);
      // Two parts at a dozen places through the file, and three parts at once.
      const cutsToTry = Array.from({ length: 12 }, (_, i) => [starts[Math.floor(((i + 0.5) * starts.length) / 12)]!]);
      cutsToTry.push([starts[Math.floor(starts.length / 3)]!, starts[Math.floor((2 * starts.length) / 3)]!]);
      for (const cuts of cutsToTry) {
        const parts = parseInParts(lines, cuts, { path });
        if ('unclean' in parts) continue;
        clean++;
        expectSameAsOnePass(parts, whole);
      }
    }
    expect(clean).toBeGreaterThan(20);
  });

  it('is unclean where a part repeats an exception text within the window of the part before', () => {
    // Ask timeouts every 4 s: one pass writes those at 0, 12, 24 … s; a part starting at 56 s would write its first.
    const lines = Array.from({ length: 30 }, (_, i) => askTimeout(4 * i)).flat();
    const cut = lines.indexOf(askTimeout(4 * 14)[0]!);
    expect(parseInParts(lines, [cut])).toEqual({ unclean: expect.stringMatching(/part 2 repeats exception text rpc\.timeout/) as unknown });
    // With a quiet minute before the cut the chain starts anew in one pass too.
    const quiet = [...askTimeout(0), ...askTimeout(4), info(30, 'quiet'), ...askTimeout(80), ...askTimeout(84), ...askTimeout(88)];
    const whole = parse(quiet);
    expect(whole.events.filter((e) => e.kind === 'rpc.timeout')).toHaveLength(2);
    expectSameAsOnePass(parseInParts(quiet, [quiet.indexOf(askTimeout(80)[0]!)]), whole);
  });

  it('is unclean where the part before ended in a banner that the next part continues', () => {
    const runner = 'org.apache.flink.runtime.taskexecutor.TaskManagerRunner';
    const lines = [
      info(0, '--------------------------------------------------------------------------------', runner),
      info(0, ' Starting TaskManager (Version: 1.17.2, Scala: 2.12, Rev:c0027e5, Date:2023-11-09T13:24:13+01:00)', runner),
      info(0, ' OS current user: flink', runner),
      info(0, ' Maximum heap size: 512 MiBytes', runner),
      info(0, '--------------------------------------------------------------------------------', runner),
      info(1, 'Starting TaskManager with ResourceID: tm-1:6122-abc', runner),
      info(2, 'Loading configuration property: taskmanager.numberOfTaskSlots, 2', 'org.apache.flink.configuration.GlobalConfiguration'),
      info(3, 'Loading configuration property: state.backend, rocksdb', 'org.apache.flink.configuration.GlobalConfiguration'),
    ];
    expect(parseInParts(lines, [3])).toEqual({ unclean: expect.stringMatching(/banner of TaskManagerRunner/) as unknown });
    // After the banner's logger gives way, and between configuration lines: the same facts and events as one pass.
    const whole = parse(lines, { path: 'flink-taskexecutor-0-tm-1.log' });
    expect(whole.merged).toMatchObject({ flinkVersion: '1.17.2', config: { 'taskmanager.numberOfTaskSlots': '2', 'state.backend': 'rocksdb' } });
    expectSameAsOnePass(parseInParts(lines, [6, 7], { path: 'flink-taskexecutor-0-tm-1.log' }), whole);
  });

  it('is unclean where a part starts inside a record or has time-only stamps', () => {
    const lines = [...askTimeout(0), info(20, 'next')];
    expect(parseInParts(lines, [1])).toEqual({ unclean: 'part 2 does not start with a record' });
    const testPattern = ['10:20:00,004 [main] INFO  org.apache.flink.A [] - one', '10:20:01,004 [main] INFO  org.apache.flink.A [] - two'];
    expect(parseInParts(testPattern, [1])).toEqual({ unclean: 'part 2 has time-only stamps' });
  });

  it('says once, for the whole file, when no record was found', () => {
    const lines = ['not a record', 'nor this', 'nor this one'];
    const parts = parseInParts(lines, [2]);
    expect(parts).toEqual({ unclean: 'part 2 does not start with a record' });
    const whole = parse(lines);
    expect(whole.warnings).toEqual([{ message: 'no Flink log record found in 3 lines: the layout was not recognised (flink-formats §1.1)' }]);
  });

  it('finds part starts only at lines with a full date', () => {
    expect(flinkLogParts.startsPart(info(0, 'x'))).toBe(true);
    expect(flinkLogParts.startsPart('2023-06-14 09:00:00.004 [main] INFO  o.a.f.r.c.CheckpointCoordinator  - x')).toBe(true);
    expect(flinkLogParts.startsPart('10:20:00,004 [main] INFO  org.apache.flink.A [] - x')).toBe(false);
    expect(flinkLogParts.startsPart('\tat org.apache.flink.A.b(A.java:1)')).toBe(false);
  });
});

describe('line warnings of a file read in parts', () => {
  it('sums the unlisted warnings, and is unclean where a later part listed what one pass would not have', () => {
    expect(joinLineWarnings([[['NUL bytes', 25]], [['invalid UTF-8', 3]]])).toEqual({
      clean: true,
      summary: [{ message: '5 more lines with NUL bytes (not listed one by one)' }],
    });
    expect(joinLineWarnings([[['NUL bytes', 15]], [['NUL bytes', 5]]]).clean).toBe(true);
    expect(joinLineWarnings([[['NUL bytes', 15]], [['NUL bytes', 6]]]).clean).toBe(false);
    expect(joinLineWarnings([[], [['NUL bytes', 30]]])).toEqual({ clean: true, summary: [{ message: '10 more lines with NUL bytes (not listed one by one)' }] });
  });
});
