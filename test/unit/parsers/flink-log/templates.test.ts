import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from '../../../../src-main/core/model/events.js';
import { Level } from '../../../../src-main/core/model/records.js';
import { TEMPLATES } from '../../../../src-main/core/parsers/flink-log/catalogue.js';
import { TEMPLATE_CASES } from './cases.js';
import { expectFields, LAYOUTS, parse, render, utc } from './helpers.js';

const STAMP = '2023-06-14 09:12:40,117';
const simpleName = (logger: string): string => logger.slice(logger.lastIndexOf('.') + 1);

describe('template catalogue', () => {
  for (const layout of LAYOUTS) {
    describe(layout, () => {
      for (const [index, c] of TEMPLATE_CASES.entries()) {
        it(`${c.id} #${index}: ${c.message.slice(0, 70)}`, () => {
          const lines = [render(layout, STAMP, c.level, c.logger, c.message, 'flink-akka.actor.default-dispatcher-5'), ...(c.stack ?? [])];
          const { events, warnings } = parse(lines);
          expect(warnings).toEqual([]);
          expect(events.length).toBeGreaterThanOrEqual(1);
          const event = events[0]!;
          expect(event.template).toBe(c.id);
          expect(event.kind).toBe(c.kind);
          expect(event.ts).toBe(utc(STAMP));
          expect(event.line).toBe(1);
          expect(event.lineCount).toBe(lines.length);
          if (c.fields !== undefined) expectFields(event, c.fields);
          if (c.attrs !== undefined) expectFields(event.attrs, c.attrs);
        });
      }
    });
  }

  it('exercises every catalogue entry with a case that the entry itself matches', () => {
    const missing = TEMPLATES.filter(
      (spec) => !TEMPLATE_CASES.some((c) => c.id === spec.id && spec.loggers.includes(simpleName(c.logger)) && spec.re.test(c.message)),
    ).map((spec) => `${spec.id} ${spec.re.source}`);
    expect(missing).toEqual([]);
  });

  it('keeps every entry cheap to reject and anchored', () => {
    for (const spec of TEMPLATES) {
      expect(spec.prefix !== undefined || spec.needle !== undefined, spec.id).toBe(true);
      expect(spec.re.source.startsWith('^') && spec.re.source.endsWith('$'), spec.id).toBe(true);
      expect(EVENT_KINDS).toContain(spec.kind);
      expect(spec.loggers.length, spec.id).toBeGreaterThan(0);
    }
  });

  it('produces no event for records that match no template, whatever the logger', () => {
    const lines = [
      render('log4j2', STAMP, 'INFO', 'org.apache.flink.runtime.checkpoint.CheckpointCoordinator', 'Checkpoint storage is set to filesystem'),
      render('log4j2', STAMP, 'INFO', 'org.apache.kafka.clients.consumer.internals.ConsumerCoordinator', 'Committed offsets for partition topic-3'),
      render('log4j2', STAMP, 'INFO', 'org.apache.flink.runtime.taskmanager.Task', 'Loading JAR files for task Map (1/1)#0.'),
      // Right words, wrong logger: templates are dispatched by the logger that prints them.
      render('log4j2', STAMP, 'INFO', 'com.example.MyFunction', `Completed checkpoint 42 for job ${'a'.repeat(32)} (1 bytes in 2 ms).`),
    ];
    expect(parse(lines).events).toEqual([]);
  });

  it('does not take a DEBUG ZooKeeper client line as a connection state change', () => {
    const line = render('log4j2', STAMP, 'DEBUG', 'org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.ClientCnxn', 'Got ping response for sessionid: 0x17c8a2b3d4e0001 after 1ms');
    expect(parse([line]).events).toEqual([]);
  });

  it('keeps the record level on events', () => {
    const line = render('log4j1', STAMP, 'WARN', 'org.apache.flink.runtime.checkpoint.CheckpointCoordinator', `Checkpoint 45 of job ${'b'.repeat(32)} expired before completing.`);
    expect(parse([line]).events[0]!.level).toBe(Level.Warn);
  });
});
