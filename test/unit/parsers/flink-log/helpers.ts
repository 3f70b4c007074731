import { isAscii } from 'node:buffer';
import { expect } from 'vitest';
import { ZoneClock } from '../../../../src-main/core/common/time.js';
import type {
  BackpressureSampleRecord,
  EventRecord,
  Level,
  MetricSampleRecord,
  ParseWarning,
  RecordSink,
} from '../../../../src-main/core/model/records.js';
import type { SourceFacts } from '../../../../src-main/core/model/source.js';
import { createFlinkLogParser, joinFlinkLogParts, type FlinkLogPartState } from '../../../../src-main/core/parsers/flink-log/index.js';

/** Bytes around a line handed in raw: a record-looking tail, so an overrun would change the result. */
const AROUND = ' [] - 10:20:00,004 [x] INFO  a.B [] - ';

export interface LineState {
  ts: number;
  level: Level;
  continuation: boolean;
}

export interface Parsed {
  events: EventRecord[];
  facts: SourceFacts[];
  warnings: ParseWarning[];
  metrics: MetricSampleRecord[];
  backpressure: BackpressureSampleRecord[];
  /** currentTs / currentLevel / currentIsContinuation after each line. */
  lines: LineState[];
  /** All facts merged in call order, as the store merges them. */
  merged: SourceFacts;
}

export interface ParseOptions {
  path?: string;
  zone?: string;
}

/** Feeds lines (an array, or one string split on \n) to a fresh Flink log parser with a collecting sink. */
export function parse(input: string | readonly string[], options: ParseOptions = {}): Parsed {
  const lines = typeof input === 'string' ? input.split('\n') : input;
  const parsed = emptyParsed();
  const parser = feed(lines, parsed, options);
  parser.end();
  return parsed;
}

/**
 * Parses `lines` as the ingest reads a large file in parts: a fresh parser per part, the parts starting at the
 * 0-based line indexes `cuts`, each numbering its lines from 1, then joined. Returns what one pass would have
 * given (line numbers counted from the file's start), or why the parts cannot stand for one pass.
 */
export function parseInParts(lines: readonly string[], cuts: readonly number[], options: ParseOptions = {}): Parsed | { unclean: string } {
  const parsed = emptyParsed();
  const states: FlinkLogPartState[] = [];
  const starts = [0, ...cuts];
  starts.forEach((start, part) => {
    const partLines = lines.slice(start, starts[part + 1] ?? lines.length);
    const from = { events: parsed.events.length, warnings: parsed.warnings.length };
    states.push(feed(partLines, parsed, options).endPart());
    for (const event of parsed.events.slice(from.events)) event.line += start;
    for (const warning of parsed.warnings.slice(from.warnings)) {
      if (warning.line === undefined) continue;
      warning.message = warning.message.replace(`line ${warning.line}`, `line ${warning.line + start}`);
      warning.line += start;
    }
  });
  const joined = joinFlinkLogParts(states, options.path ?? 'jobmanager.log');
  if (!joined.clean) return { unclean: joined.reason };
  for (const facts of joined.facts) collectFacts(parsed, facts);
  parsed.warnings.push(...joined.warnings);
  return parsed;
}

function emptyParsed(): Parsed {
  return { events: [], facts: [], warnings: [], metrics: [], backpressure: [], lines: [], merged: {} };
}

function collectFacts(parsed: Parsed, facts: SourceFacts): void {
  parsed.facts.push(facts);
  const config = facts.config === undefined ? parsed.merged.config : { ...parsed.merged.config, ...facts.config };
  parsed.merged = { ...parsed.merged, ...facts };
  if (config !== undefined) parsed.merged.config = config;
}

/** A fresh parser that collected `lines` into `parsed`, not yet ended. */
function feed(lines: readonly string[], parsed: Parsed, options: ParseOptions): ReturnType<typeof createFlinkLogParser> {
  const sink: RecordSink = {
    facts: (facts) => collectFacts(parsed, facts),
    event: (event) => parsed.events.push(event),
    gc: () => undefined,
    backpressure: (sample) => parsed.backpressure.push(sample),
    metric: (sample) => parsed.metrics.push(sample),
    restCheckpoint: () => undefined,
    restSubtask: () => undefined,
    vertex: () => undefined,
    planEdge: () => undefined,
    flame: () => undefined,
    warning: (warning) => parsed.warnings.push(warning),
  };
  const parser = createFlinkLogParser({
    sink,
    clock: new ZoneClock(options.zone ?? 'UTC'),
    path: options.path ?? 'jobmanager.log',
    detection: { kind: 'flink-log', format: 'log4j2', reason: 'test' },
  });
  lines.forEach((line, index) => {
    // ASCII lines go in with their bytes, as the ingest gives them, inside a buffer with more text around them:
    // the parser must read neither before nor after the line.
    if (isAscii(Buffer.from(line))) parser.line(line, index + 1, Buffer.from(`${AROUND}${line}${AROUND}`, 'latin1'), AROUND.length);
    else parser.line(line, index + 1);
    parsed.lines.push({ ts: parser.currentTs, level: parser.currentLevel, continuation: parser.currentIsContinuation });
  });
  return parser;
}

/** The only event of the input (fails the test when there is not exactly one). */
export function only(input: string | readonly string[], options?: ParseOptions): EventRecord {
  const { events } = parse(input, options);
  if (events.length !== 1) {
    throw new Error(`expected one event, got ${events.length}: ${JSON.stringify(events.map((e) => `${e.template}/${e.kind}`))}`);
  }
  return events[0]!;
}

export type Layout = 'log4j1' | 'log4j2' | 'logback';
export const LAYOUTS: readonly Layout[] = ['log4j1', 'log4j2', 'logback'];

/** logback `%logger{60}` shortens leading package segments to one letter when the name exceeds 60 characters. */
export function abbreviate(logger: string): string {
  if (logger.length <= 60) return logger;
  const parts = logger.split('.');
  for (let i = 0; i < parts.length - 1 && parts.join('.').length > 60; i++) parts[i] = parts[i]!.slice(0, 1);
  return parts.join('.');
}

/**
 * One record line in a Flink layout (flink-formats §1.1): `stamp` is `yyyy-MM-dd HH:mm:ss,SSS`.
 * log4j 1: `%d %-5p %-60c %x - %m`, log4j 2: same with `[]` NDC, logback: `%d{….SSS} [%thread] %-5level %logger{60} %X{sourceThread} - %msg`.
 */
export function render(layout: Layout, stamp: string, level: string, logger: string, message: string, thread = 'main'): string {
  switch (layout) {
    case 'log4j1':
      return `${stamp} ${level.padEnd(5)} ${logger.padEnd(60)}  - ${message}`;
    case 'log4j2':
      return `${stamp} ${level.padEnd(5)} ${logger.padEnd(60)} [] - ${message}`;
    case 'logback':
      return `${stamp.replace(',', '.')} [${thread}] ${level.padEnd(5)} ${abbreviate(logger)}  - ${message}`;
  }
}

/** Epoch micros of a UTC wall-clock `yyyy-MM-dd HH:mm:ss,SSS`. */
export function utc(stamp: string): number {
  return Date.parse(`${stamp.replace(' ', 'T').replace(',', '.')}Z`) * 1000;
}

/** Like toMatchObject, but a key expected `undefined` must be absent or undefined (unknown values stay undefined). */
export function expectFields(actual: object | undefined, expected: Readonly<Record<string, unknown>>): void {
  const record = (actual ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(expected)) {
    if (value === undefined) expect(record[key], key).toBeUndefined();
    else expect(record[key], key).toEqual(value);
  }
}
