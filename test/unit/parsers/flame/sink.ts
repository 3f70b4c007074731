import { ZoneClock } from '../../../../src-main/core/common/time.js';
import type { FlameProfileRecord, ParseWarning, RecordSink } from '../../../../src-main/core/model/records.js';
import { parseFlame } from '../../../../src-main/core/parsers/flame/index.js';

export interface FlameRun {
  profiles: FlameProfileRecord[];
  warnings: ParseWarning[];
}

/** Runs the flame parser over bytes as the ingest would, collecting what it emits. */
export function runFlame(data: Buffer | string, path = 'profile.txt', options: { zone?: string; format?: string } = {}): FlameRun {
  const run: FlameRun = { profiles: [], warnings: [] };
  const unexpected = (what: string) => () => {
    throw new Error(`flame parser emitted a ${what} record`);
  };
  const sink: RecordSink = {
    facts: unexpected('facts'),
    event: unexpected('event'),
    gc: unexpected('gc'),
    backpressure: unexpected('backpressure'),
    metric: unexpected('metric'),
    restCheckpoint: unexpected('restCheckpoint'),
    restSubtask: unexpected('restSubtask'),
    vertex: unexpected('vertex'),
    planEdge: unexpected('planEdge'),
    flame: (profile) => run.profiles.push(profile),
    warning: (warning) => run.warnings.push(warning),
  };
  parseFlame(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, {
    sink,
    clock: new ZoneClock(options.zone ?? 'UTC'),
    path,
    detection: { kind: 'flame', format: options.format ?? '', reason: 'test' },
  });
  return run;
}

/** Collapsed-stack view of a profile (`frame;frame weight`, types as `name@type`), sorted, for exact comparisons. */
export function collapsedOf(profile: FlameProfileRecord): string[] {
  return profile.stacks
    .map((stack) => `${stack.thread !== undefined ? `{${stack.thread}}` : ''}${stack.frames.map((f) => (f.type !== undefined ? `${f.name}@${f.type}` : f.name)).join(';')} ${stack.weight}`)
    .sort();
}

export function totalWeight(profile: FlameProfileRecord): number {
  return profile.stacks.reduce((sum, stack) => sum + stack.weight, 0);
}
