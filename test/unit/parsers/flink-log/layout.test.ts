import { isAscii } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { Level } from '../../../../src-main/core/model/records.js';
import { Header, loggerOf, parseAsciiHeader, parseHeader, StampKind } from '../../../../src-main/core/parsers/flink-log/layout.js';
import { JOB } from './cases.js';
import { parse, utc } from './helpers.js';

/** The header of `line`; for ASCII lines also read from their bytes (as the ingest does), which must agree. */
function header(line: string): Header | undefined {
  const out = new Header();
  const found = parseHeader(line, out);
  if (isAscii(Buffer.from(line))) {
    const fromBytes = new Header();
    const around = '12:00:00,000 [t] INFO ';
    expect(parseAsciiHeader(line, Buffer.from(`${around}${line}${around}`, 'latin1'), around.length, fromBytes)).toBe(found);
    if (found) expect(fromBytes).toEqual(out);
  }
  return found ? out : undefined;
}

function messageOf(line: string): string | undefined {
  const h = header(line);
  return h === undefined ? undefined : line.slice(h.messageStart);
}

describe('record header layouts (flink-formats §1.1)', () => {
  it('reads the log4j 1 layout (no NDC: two spaces before the dash)', () => {
    const line = `2020-03-02 14:05:11,402 INFO  org.apache.flink.runtime.checkpoint.CheckpointCoordinator     - Triggering checkpoint 42 @ 1583157911398 for job ${JOB}.`;
    const h = header(line)!;
    expect(h.stamp).toBe(StampKind.Full);
    expect([h.year, h.month, h.day, h.hour, h.minute, h.second, h.millis]).toEqual([2020, 3, 2, 14, 5, 11, 402]);
    expect(h.level).toBe(Level.Info);
    expect(loggerOf(line, h)).toBe('org.apache.flink.runtime.checkpoint.CheckpointCoordinator');
    expect(h.simpleName).toBe('CheckpointCoordinator');
    expect(h.thread).toBeUndefined();
    expect(line.slice(h.messageStart)).toBe(`Triggering checkpoint 42 @ 1583157911398 for job ${JOB}.`);
  });

  it('reads the log4j 2 layout with the empty NDC `[]`', () => {
    const line = '2023-06-14 09:12:40,117 INFO  org.apache.flink.runtime.checkpoint.CheckpointCoordinator    [] - Completed checkpoint 1287';
    expect(messageOf(line)).toBe('Completed checkpoint 1287');
  });

  it('reads unpadded long logger names followed by one space', () => {
    const line =
      '2023-06-14 09:13:12,610 WARN  org.apache.flink.streaming.runtime.tasks.SubtaskCheckpointCoordinatorImpl [] - Time from receiving all checkpoint barriers/RPC for checkpoint 1290 to executing it exceeded threshold: 31877ms';
    const h = header(line)!;
    expect(h.level).toBe(Level.Warn);
    expect(h.simpleName).toBe('SubtaskCheckpointCoordinatorImpl');
    expect(line.slice(h.messageStart)).toMatch(/^Time from receiving/);
  });

  it('reads padded levels: DEBUG / ERROR / TRACE with one space, INFO / WARN with two', () => {
    for (const [word, level] of [['DEBUG', Level.Debug], ['ERROR', Level.Error], ['TRACE', Level.Trace], ['FATAL', Level.Fatal]] as const) {
      const h = header(`2023-06-14 09:12:40,117 ${word} org.apache.Foo [] - x`)!;
      expect(h.level).toBe(level);
      expect(h.simpleName).toBe('Foo');
    }
  });

  it('reads logback: thread token, dot before millis, abbreviated logger', () => {
    const line =
      '2021-07-19 10:20:00.402 [Map -> Sink: Unnamed (2/4)#0] DEBUG o.a.f.s.runtime.tasks.SubtaskCheckpointCoordinatorImpl  - Map -> Sink: Unnamed (2/4)#0 - finished synchronous part of checkpoint 42.';
    const h = header(line)!;
    expect(h.millis).toBe(402);
    expect(h.thread).toBe('Map -> Sink: Unnamed (2/4)#0');
    expect(h.level).toBe(Level.Debug);
    expect(loggerOf(line, h)).toBe('o.a.f.s.runtime.tasks.SubtaskCheckpointCoordinatorImpl');
    expect(h.simpleName).toBe('SubtaskCheckpointCoordinatorImpl');
    expect(line.slice(h.messageStart)).toMatch(/^Map -> Sink: Unnamed \(2\/4\)#0 - finished/);
  });

  it('reads thread names that contain brackets (SQL vertex names)', () => {
    const line = '2023-06-14 09:12:40.117 [Source: orders[1] -> Calc[2] (1/4)#0] INFO  org.apache.flink.runtime.taskmanager.Task  - hello';
    const h = header(line)!;
    expect(h.thread).toBe('Source: orders[1] -> Calc[2] (1/4)#0');
    expect(h.simpleName).toBe('Task');
    expect(line.slice(h.messageStart)).toBe('hello');
  });

  it('reads the test pattern: time only, padded thread, log4j 2 NDC', () => {
    const line = '10:20:00,004 [    Checkpoint Timer] INFO  org.apache.flink.runtime.checkpoint.CheckpointCoordinator    [] - Triggering checkpoint 42';
    const h = header(line)!;
    expect(h.stamp).toBe(StampKind.TimeOnly);
    expect([h.hour, h.minute, h.second, h.millis]).toEqual([10, 20, 0, 4]);
    expect(h.thread).toBe('Checkpoint Timer');
    expect(h.simpleName).toBe('CheckpointCoordinator');
    expect(line.slice(h.messageStart)).toBe('Triggering checkpoint 42');
  });

  it('reads custom patterns with a thread token after the level or before it', () => {
    const afterLevel = `2020-08-13 16:51:37,456 INFO  [74] org.apache.flink.runtime.checkpoint.CheckpointCoordinator  - Checkpoint 17 of job ${JOB} expired before completing.`;
    const h = header(afterLevel)!;
    expect(h.thread).toBe('74');
    expect(h.simpleName).toBe('CheckpointCoordinator');
    expect(afterLevel.slice(h.messageStart)).toMatch(/^Checkpoint 17 of job/);

    const chunjun = '09:53:01.895 [Checkpoint Timer] INFO org.apache.flink.runtime.checkpoint.CheckpointCoordinator - Checkpoint triggering task Source (1/1) is late';
    const t = header(chunjun)!;
    expect(t.thread).toBe('Checkpoint Timer');
    expect(t.level).toBe(Level.Info);
    expect(chunjun.slice(t.messageStart)).toBe('Checkpoint triggering task Source (1/1) is late');
  });

  it('finds the message after a non-empty logback %X{sourceThread}', () => {
    expect(messageOf('2021-07-19 10:20:00.004 [main] INFO  org.apache.Foo Legacy Source Thread - the message')).toBe('the message');
  });

  it('does not take stack frames, metric values or bare numbers for record starts', () => {
    for (const line of [
      '\tat org.apache.flink.Foo.bar(Foo.java:1)',
      'java.io.IOException: boom',
      '10.42.7.19.taskmanager.job.Map.2.numRecordsIn: 42',
      '12:30:00 is not a log line',
      '2023-06-14',
      '2023-06-14 09:12:40',
      '',
      '2023-06-14X09:12:40,117 INFO  org.apache.Foo [] - x',
    ]) {
      expect(header(line), line).toBeUndefined();
    }
  });

  it('accepts a stamped line without a level as a record start of unknown level', () => {
    const h = header('2023-06-14 09:12:40,117 something without a level')!;
    expect(h.level).toBe(Level.None);
  });
});

describe('time, level and continuation of every line', () => {
  const records = [
    'orphan line before any record',
    `2023-06-14 09:22:37,560 WARN  org.apache.flink.runtime.checkpoint.CheckpointFailureManager [] - Failed to trigger or complete checkpoint 1288 for job ${JOB}. (1 consecutive failed attempts so far)`,
    'org.apache.flink.runtime.checkpoint.CheckpointException: Checkpoint expired before completing.',
    '\tat java.util.concurrent.FutureTask.run(FutureTask.java:264) [?:?]',
    '2023-06-14 09:22:38,001 INFO  org.apache.Foo [] - next',
  ];

  it('inherits the record time and level on continuation lines; orphans have none', () => {
    const { lines } = parse(records);
    expect(Number.isNaN(lines[0]!.ts)).toBe(true);
    expect(lines[0]!.level).toBe(Level.None);
    expect(lines[0]!.continuation).toBe(false);
    expect(lines[1]).toEqual({ ts: utc('2023-06-14 09:22:37,560'), level: Level.Warn, continuation: false });
    expect(lines[2]).toEqual({ ts: utc('2023-06-14 09:22:37,560'), level: Level.Warn, continuation: true });
    expect(lines[3]).toEqual({ ts: utc('2023-06-14 09:22:37,560'), level: Level.Warn, continuation: true });
    expect(lines[4]).toEqual({ ts: utc('2023-06-14 09:22:38,001'), level: Level.Info, continuation: false });
  });

  it('converts local wall-clock times with the source zone', () => {
    const { lines } = parse(['2023-06-14 09:12:40,117 INFO  org.apache.Foo [] - x'], { zone: 'Europe/Berlin' });
    expect(lines[0]!.ts).toBe(utc('2023-06-14 07:12:40,117'));
  });

  it('keeps the seconds right across minutes that share a prefix cache', () => {
    const { lines } = parse([
      '2023-06-14 09:12:59,999 INFO  org.apache.Foo [] - a',
      '2023-06-14 09:13:00,000 INFO  org.apache.Foo [] - b',
      '2023-06-14 09:13:00,001 INFO  org.apache.Foo [] - c',
      '2023-06-15 09:13:00,001 INFO  org.apache.Foo [] - d',
    ]);
    expect(lines.map((l) => l.ts)).toEqual([
      utc('2023-06-14 09:12:59,999'),
      utc('2023-06-14 09:13:00,000'),
      utc('2023-06-14 09:13:00,001'),
      utc('2023-06-15 09:13:00,001'),
    ]);
  });

  it('dates time-only lines with the first full date of the file and rolls over midnight', () => {
    const { lines, warnings } = parse([
      '2021-07-19 23:59:58,000 INFO  org.apache.Foo [] - full date first',
      '23:59:59,500 [main] INFO  org.apache.Foo [] - same day',
      '00:00:00,250 [main] INFO  org.apache.Foo [] - next day',
    ]);
    expect(warnings).toEqual([]);
    expect(lines[1]!.ts).toBe(utc('2021-07-19 23:59:59,500'));
    expect(lines[2]!.ts).toBe(utc('2021-07-20 00:00:00,250'));
  });

  it('dates time-only lines 1970-01-01 with one warning when no date was seen', () => {
    const { lines, warnings, events } = parse([
      `10:20:00,004 [    Checkpoint Timer] INFO  org.apache.flink.runtime.checkpoint.CheckpointCoordinator    [] - Triggering checkpoint 42 (type=CHECKPOINT) @ 1626690000001 for job ${JOB}.`,
      '10:20:01,004 [main] INFO  org.apache.Foo [] - x',
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.line).toBe(1);
    expect(lines[0]!.ts).toBe(utc('1970-01-01 10:20:00,004'));
    expect(events[0]).toMatchObject({ template: 'T2', checkpointId: 42, ts: utc('1970-01-01 10:20:00,004') });
  });

  it('warns once when no line of the file looks like a Flink record', () => {
    const { warnings, events } = parse(['just', 'some', 'text']);
    expect(events).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/no Flink log record/);
  });
});
