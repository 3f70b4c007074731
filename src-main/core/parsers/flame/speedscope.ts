import type { FlameFrame } from '../../model/records.js';
import { isObject } from './hierarchy.js';
import { emitProfile, WarningBudget, type ImportEnv } from './importer.js';
import { StackTable } from './stack-table.js';

/** Microseconds per unit for speedscope's time units; weights of other units are kept as they are. */
const MICROS_PER_UNIT: Readonly<Record<string, number>> = {
  nanoseconds: 1e-3,
  microseconds: 1,
  milliseconds: 1e3,
  seconds: 1e6,
};

/**
 * speedscope JSON (flame-formats §1.7): shared frames plus sampled or evented profiles, one record per profile.
 * Time-unit weights become µs. The file has no absolute start, so samples get timestamps only when the file name
 * gives a capture time (then relative offsets are added to it, never exact).
 */
export function importSpeedscope(json: Record<string, unknown>, env: ImportEnv): void {
  const shared = isObject(json['shared']) ? json['shared'] : {};
  const frames: FlameFrame[] = (Array.isArray(shared['frames']) ? shared['frames'] : []).map((frame: unknown, i: number) => ({
    name: isObject(frame) && typeof frame['name'] === 'string' ? frame['name'] : `[frame ${i}]`,
  }));
  const profiles = Array.isArray(json['profiles']) ? json['profiles'] : [];
  if (profiles.length === 0) env.sink.warning({ message: 'speedscope file without profiles; no profile' });
  profiles.forEach((profile: unknown, index: number) => {
    if (!isObject(profile)) {
      env.sink.warning({ message: `speedscope profile #${index} is not an object; skipped` });
      return;
    }
    const name = typeof profile['name'] === 'string' ? profile['name'] : `profile ${index}`;
    const unit = typeof profile['unit'] === 'string' ? profile['unit'] : 'none';
    const micros = MICROS_PER_UNIT[unit];
    const start = typeof profile['startValue'] === 'number' ? profile['startValue'] : 0;
    const end = typeof profile['endValue'] === 'number' ? profile['endValue'] : start;
    const capture = micros !== undefined ? env.hints.captureUs : undefined;
    const timeOf = (at: number): number | undefined => (capture === undefined ? undefined : Math.round(capture + (at - start) * micros!));
    const toWeight = (value: number): number => Math.round(micros !== undefined ? value * micros : value);
    const warnings = new WarningBudget(env.sink);
    const table = new StackTable();
    const frameAt = (i: unknown): FlameFrame => {
      const frame = typeof i === 'number' ? frames[i] : undefined;
      if (frame !== undefined) return frame;
      warnings.warn(`speedscope profile '${name}' refers to missing frame ${JSON.stringify(i)}`);
      return { name: `[missing frame ${String(i)}]` };
    };
    if (profile['type'] === 'sampled') readSampled(profile, table, frameAt, toWeight, timeOf, warnings, name);
    else if (profile['type'] === 'evented') readEvented(profile, table, frameAt, toWeight, timeOf, warnings, name, end);
    else {
      env.sink.warning({ message: `speedscope profile '${name}' has unsupported type ${JSON.stringify(profile['type'])}; skipped` });
      return;
    }
    warnings.finish(`problems in speedscope profile '${name}'`);
    const mode = env.hints.mode ?? (unit === 'bytes' ? 'alloc' : 'unknown');
    const span = capture === undefined ? {} : { startTs: timeOf(start)!, endTs: timeOf(end)! };
    emitProfile(env, table, {
      format: `speedscope-${profile['type']}`,
      mode,
      title: `${name} (${micros !== undefined ? 'weights in µs' : `unit: ${unit}`})`,
      ...span,
      withSamples: capture !== undefined,
    });
  });
}

function readSampled(
  profile: Record<string, unknown>,
  table: StackTable,
  frameAt: (i: unknown) => FlameFrame,
  toWeight: (value: number) => number,
  timeOf: (at: number) => number | undefined,
  warnings: WarningBudget,
  name: string,
): void {
  const samples = Array.isArray(profile['samples']) ? profile['samples'] : [];
  const weights = Array.isArray(profile['weights']) ? profile['weights'] : [];
  if (weights.length !== samples.length) warnings.warn(`sampled profile '${name}': ${samples.length} samples but ${weights.length} weights; missing weights taken as 1`);
  let at = typeof profile['startValue'] === 'number' ? profile['startValue'] : 0;
  samples.forEach((sample: unknown, i: number) => {
    const raw = typeof weights[i] === 'number' ? (weights[i] as number) : 1;
    const stack = Array.isArray(sample) ? sample.map(frameAt) : [];
    const weight = toWeight(raw);
    const ts = timeOf(at);
    if (ts !== undefined) table.addSample(stack, weight, ts);
    else table.add(stack, weight);
    at += raw;
  });
}

function readEvented(
  profile: Record<string, unknown>,
  table: StackTable,
  frameAt: (i: unknown) => FlameFrame,
  toWeight: (value: number) => number,
  timeOf: (at: number) => number | undefined,
  warnings: WarningBudget,
  name: string,
  endValue: number,
): void {
  const events = Array.isArray(profile['events']) ? profile['events'] : [];
  const open: number[] = [];
  let last = typeof profile['startValue'] === 'number' ? profile['startValue'] : 0;
  const advance = (to: number): void => {
    if (to > last && open.length > 0) {
      const weight = toWeight(to - last);
      const stack = open.map(frameAt);
      const ts = timeOf(last);
      if (ts !== undefined) table.addSample(stack, weight, ts);
      else table.add(stack, weight);
    }
    last = Math.max(last, to);
  };
  events.forEach((event: unknown, i: number) => {
    if (!isObject(event) || typeof event['at'] !== 'number' || typeof event['frame'] !== 'number') {
      warnings.warn(`evented profile '${name}': event #${i} lacks a numeric 'at' or 'frame'; skipped`);
      return;
    }
    const at = event['at'];
    if (at < last) warnings.warn(`evented profile '${name}': event #${i} goes back in time (${at} < ${last}); taken at ${last}`);
    advance(at);
    if (event['type'] === 'O') open.push(event['frame']);
    else if (event['type'] === 'C') {
      const depth = open.lastIndexOf(event['frame']);
      if (depth < 0) warnings.warn(`evented profile '${name}': event #${i} closes frame ${event['frame']} that is not open; ignored`);
      else {
        if (depth !== open.length - 1) warnings.warn(`evented profile '${name}': event #${i} closes frame ${event['frame']} out of order; inner frames closed too`);
        open.length = depth;
      }
    } else warnings.warn(`evented profile '${name}': event #${i} has unknown type ${JSON.stringify(event['type'])}; skipped`);
  });
  if (open.length > 0) {
    warnings.warn(`evented profile '${name}': ${open.length} frame(s) never closed; closed at the profile end`);
    advance(Math.max(endValue, last));
  }
}
