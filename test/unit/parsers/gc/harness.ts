import { ZoneClock } from '../../../../src-main/core/common/time.js';
import type { GcEventRecord, ParseWarning, RecordSink } from '../../../../src-main/core/model/records.js';
import type { SourceFacts } from '../../../../src-main/core/model/source.js';
import { createGcLogParser } from '../../../../src-main/core/parsers/gc/index.js';

export interface GcParse {
  events: GcEventRecord[];
  warnings: ParseWarning[];
  facts: SourceFacts;
  /** currentTs after each line, index = line number − 1. */
  lineTs: number[];
  continuation: boolean[];
}

/** Runs the GC parser the way the ingest does: LF-split lines (CR dropped), 1-based line numbers. */
export function parseGc(text: string, path = 'gc.log', zone = 'UTC'): GcParse {
  const result: GcParse = { events: [], warnings: [], facts: {}, lineTs: [], continuation: [] };
  const unexpected = (): void => {
    throw new Error('GC parser emitted a non-GC record');
  };
  const sink: RecordSink = {
    facts: (f) => Object.assign(result.facts, f),
    event: unexpected,
    gc: (e) => result.events.push(e),
    backpressure: unexpected,
    metric: unexpected,
    restCheckpoint: unexpected,
    restSubtask: unexpected,
    vertex: unexpected,
    planEdge: unexpected,
    flame: unexpected,
    warning: (w) => result.warnings.push(w),
  };
  const parser = createGcLogParser({ sink, clock: new ZoneClock(zone), path, detection: { kind: 'gc-log', format: 'gc', reason: 'test' } });
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => {
    parser.line(line.endsWith('\r') ? line.slice(0, -1) : line, i + 1);
    result.lineTs.push(parser.currentTs);
    result.continuation.push(parser.currentIsContinuation);
  });
  parser.end();
  return result;
}

export const pauses = (events: readonly GcEventRecord[]): GcEventRecord[] => events.filter((e) => e.eventClass === 'pause');
