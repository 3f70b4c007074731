import { afterEach, describe, expect, it } from 'vitest';
import { gcPressure } from '../../../../src-main/core/analysis/findings/rules/gc-pressure.js';
import { byRule, healthyJob, IncidentBuilder } from './builder.js';

let b: IncidentBuilder;
afterEach(() => b.close());

const GIB = 1024 ** 3;

function expiredWithStragglerOnTm2(builder: IncidentBuilder): void {
  healthyJob(builder, 10);
  builder.expired(11, 700);
  builder.late(11, 'Map -> Filter', 1, 1310, 'tm-2');
}

describe('GC pressure', () => {
  it('flags a long pause on the straggler TaskManager inside the barrier window', () => {
    b = new IncidentBuilder();
    expiredWithStragglerOnTm2(b);
    const id = b.gcPause('tm-2', 1000, 14_200, { kind: 'full', cause: 'Allocation Failure' });
    const [f] = byRule(b.finish().findings([gcPressure]), 'gc.pause-in-barrier-window');
    expect(f).toBeDefined();
    expect(f!.tm).toBe('tm-2');
    expect(f!.checkpointId).toBe(11);
    expect(f!.severity).toBe('error');
    expect(f!.title).toBe('tm-2 was in a 14.2 s full GC at 10:16:40 while checkpoint 11 waited for Map -> Filter (2/4)');
    expect(f!.evidence).toContainEqual(expect.objectContaining({ type: 'gc', id, line: 1 }));
  });

  it('ignores a long pause outside the barrier window and a short one inside it', () => {
    b = new IncidentBuilder();
    expiredWithStragglerOnTm2(b);
    b.gcPause('tm-2', 650, 14_200, { kind: 'full' });
    b.gcPause('tm-2', 1000, 300);
    b.gcPause('tm-1', 1000, 14_000, { kind: 'full' });
    expect(byRule(b.finish().findings([gcPressure]), 'gc.pause-in-barrier-window')).toEqual([]);
  });

  it('a single pause of 5 s or more in a failed checkpoint\'s barrier window is an error, a 2 s one a warning', () => {
    b = new IncidentBuilder();
    expiredWithStragglerOnTm2(b);
    b.gcPause('tm-2', 1000, 6_000, { kind: 'full' });
    expect(byRule(b.finish().findings([gcPressure]), 'gc.pause-in-barrier-window')[0]!.severity).toBe('error');
    b.close();
    b = new IncidentBuilder();
    expiredWithStragglerOnTm2(b);
    b.gcPause('tm-2', 1000, 2_000);
    expect(byRule(b.finish().findings([gcPressure]), 'gc.pause-in-barrier-window')[0]!.severity).toBe('warning');
  });

  it('flags more than 30 % of 5 minutes spent in pauses, and not 4 %', () => {
    b = new IncidentBuilder();
    healthyJob(b, 5);
    for (let sec = 100; sec < 400; sec += 5) b.gcPause('tm-1', sec, 2000, { kind: 'mixed' });
    for (let sec = 100; sec < 400; sec += 5) b.gcPause('tm-2', sec, 200);
    const findings = byRule(b.finish().findings([gcPressure]), 'gc.pause-share');
    expect(findings).toHaveLength(1);
    expect(findings[0]!.tm).toBe('tm-1');
    // 120 s of pauses in 300 s; windows on two grids 2.5 min apart see at most 100 s of it in one window.
    expect(findings[0]!.title).toMatch(/^tm-1 spent 33 % of 5 minutes in GC pauses from 10:02:30/);
  });

  it('flags a single pause longer than the heartbeat timeout and the timeout that followed', () => {
    b = new IncidentBuilder();
    healthyJob(b, 5);
    b.gcPause('tm-1', 1000, 55_000, { kind: 'full' });
    b.event(b.jm(), { sec: 1052, kind: 'tm.heartbeat-timeout', tm: 'tm-1' });
    const [f] = byRule(b.finish().findings([gcPressure]), 'gc.pause-over-heartbeat');
    expect(f!.title).toBe('tm-1 paused 55.0 s in a full GC at 10:16:40, longer than the 50.0 s heartbeat timeout');
    expect(f!.explanation).toContain("heartbeat.timeout = 50.0 s (Flink's default; not in the bundle)");
    expect(f!.explanation).toContain('heartbeat timeout for tm-1 at 10:17:32');
    expect(f!.confidence).toBeGreaterThan(0.85);
  });

  it('respects a configured heartbeat timeout', () => {
    b = new IncidentBuilder();
    healthyJob(b, 5);
    b.config('heartbeat.timeout', '120000');
    b.gcPause('tm-1', 1000, 55_000, { kind: 'full' });
    expect(byRule(b.finish().findings([gcPressure]), 'gc.pause-over-heartbeat')).toEqual([]);
  });

  it('flags repeated full GCs', () => {
    b = new IncidentBuilder();
    healthyJob(b, 5);
    for (const sec of [200, 500, 800]) b.gcPause('tm-2', sec, 2500, { kind: 'full', heapAfter: 3.8 * GIB, heapMax: 4 * GIB });
    const [f] = byRule(b.finish().findings([gcPressure]), 'gc.full-gc');
    expect(f!.title).toBe('3 full GCs on tm-2 (7.5 s stopped, longest 2.5 s)');
    expect(f!.explanation).toContain('3.8 GiB of 4.0 GiB');
  });

  it('flags heap after GC rising steadily, not a flat heap', () => {
    b = new IncidentBuilder();
    healthyJob(b, 5);
    for (let i = 0; i <= 120; i++) {
      b.gcPause('tm-1', 60 * i, 50, { heapAfter: GIB + (2 * GIB * i) / 120, heapMax: 4 * GIB });
      b.gcPause('tm-2', 60 * i, 50, { heapAfter: GIB + ((i % 7) / 7) * 0.1 * GIB, heapMax: 4 * GIB });
    }
    const findings = byRule(b.finish().findings([gcPressure]), 'gc.heap-after-gc-rising');
    expect(findings).toHaveLength(1);
    expect(findings[0]!.tm).toBe('tm-1');
    expect(findings[0]!.title).toBe('Heap after GC on tm-1 rose from 1.0 GiB to 3.0 GiB of 4.0 GiB in 2.0 h');
  });

  it('reports a heap OutOfMemoryError from the logs alone', () => {
    b = new IncidentBuilder();
    healthyJob(b, 5);
    b.event(b.tmLog('tm-2'), { sec: 900, kind: 'oom', job: null, level: 5, attrs: { exceptionClass: 'java.lang.OutOfMemoryError', exceptionMessage: 'Java heap space' } });
    const [f] = byRule(b.finish().findings([gcPressure]), 'gc.heap-oom');
    expect(f!.title).toBe('Java heap space OutOfMemoryError on tm-2 at 10:15:00');
    expect(f!.missing.join(' ')).toContain('-Xlog:gc*');
  });

  it('is quiet on short young pauses', () => {
    b = new IncidentBuilder();
    healthyJob(b, 20);
    for (let sec = 0; sec < 1300; sec += 10) b.gcPause('tm-1', sec, 40, { heapAfter: GIB, heapMax: 4 * GIB });
    expect(b.finish().findings([gcPressure])).toEqual([]);
  });
});
