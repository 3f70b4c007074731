import { afterEach, describe, expect, it } from 'vitest';
import { backpressureOrigin } from '../../../../src-main/core/analysis/findings/rules/backpressure-origin.js';
import { configSmells } from '../../../../src-main/core/analysis/findings/rules/config-smells.js';
import { at, byRule, healthyJob, IncidentBuilder, JOB, VERTICES, windowBottleneck } from './builder.js';

let b: IncidentBuilder;
afterEach(() => b.close());

const [SOURCE, MAP, WINDOW, SINK] = VERTICES;

describe('backpressure origin', () => {
  it('names the first busy, not back-pressured vertex downstream and that backpressure came before the slow checkpoint', () => {
    b = new IncidentBuilder();
    healthyJob(b, 10);
    b.expired(11, 700);
    windowBottleneck(b);
    const [f] = byRule(b.finish().findings([backpressureOrigin]), 'backpressure.origin');
    expect(f).toBeDefined();
    expect(f!.severity).toBe('error');
    expect(f!.title).toContain(`Backpressure originates at ${WINDOW}: it is busy 96 % but not back-pressured`);
    expect(f!.title).toContain('checkpoint 11 expired');
    expect(f!.explanation).toContain('Source: orders 0.90 HIGH');
    expect(f!.explanation).toContain('pipeline order from vertex names');
    expect(f!.explanation).toContain('Backpressure began at 10:10:00, 100 s before checkpoint durations rose');
    expect(f!.evidence.filter((e) => e.type === 'bp').length).toBeGreaterThanOrEqual(3);
    expect(f!.evidence).toContainEqual(expect.objectContaining({ type: 'checkpoint', key: expect.stringMatching(/\/11$/) }));
    expect(f!.missing.join(' ')).toContain('No job plan');
  });

  it('dates backpressure from where it began to build (LOW), not from when it read HIGH', () => {
    b = new IncidentBuilder();
    healthyJob(b, 8);
    b.completed(9, 560, 40_000);
    b.expired(10, 640);
    for (let sec = 0; sec <= 1500; sec += 30) {
      const ratio = sec < 540 ? 0 : sec < 630 ? 0.3 : 0.9;
      for (let s = 0; s < 4; s++) {
        b.bp(sec, SOURCE, s, ratio, 0.1, 0.2);
        b.bp(sec, MAP, s, ratio, 0.1, 0.2);
        b.bp(sec, WINDOW, s, 0.02, sec < 540 ? 0.3 : 0.96, 0.02);
      }
    }
    const [f] = byRule(b.finish().findings([backpressureOrigin]), 'backpressure.origin');
    expect(f!.explanation).toContain('Backpressure began at 10:09:00 (HIGH from 10:10:30), 20.0 s before checkpoint durations rose (checkpoint 9 took 40.0 s');
    expect(f!.explanation).toContain('it came first');
    expect(f!.explanation).not.toContain('is not what slowed');
  });

  it('reads isBackPressured gauges (Flink 1.10–1.12) as presence: a measured LOW ratio around them wins, a measured HIGH one confirms', () => {
    const restSample = (builder: IncidentBuilder, sec: number, vertexName: string, ratio: number): void => {
      builder.db
        .prepare(`INSERT INTO bp_sample (source_id, ts_us, job, vertex_name, subtask, ratio, level, origin) VALUES (?,?,?,?,0,?,?,'rest')`)
        .run(builder.other('rest-json'), at(sec), JOB, vertexName, ratio, ratio > 0.5 ? 'high' : 'low');
    };
    const gauges = (builder: IncidentBuilder): void => {
      healthyJob(builder, 20);
      for (let sec = 60; sec <= 1200; sec += 60) {
        for (let s = 0; s < 4; s++) {
          builder.bp(sec, MAP, s, 1, null, null);
          builder.bp(sec, WINDOW, s, 0, null, null);
        }
      }
    };
    b = new IncidentBuilder();
    gauges(b);
    restSample(b, 1215, MAP, 0.27);
    restSample(b, 1215, WINDOW, 0);
    expect(b.finish().findings([backpressureOrigin, configSmells])).toEqual([]);
    b.close();

    b = new IncidentBuilder();
    gauges(b);
    restSample(b, 1215, MAP, 0.81);
    restSample(b, 1215, WINDOW, 0);
    const [f] = byRule(b.finish().findings([backpressureOrigin]), 'backpressure.origin');
    expect(f!.title).toContain(`Backpressure originates at ${WINDOW}`);
    b.close();

    // A measured ratio counts up to five minutes after the last gauge, not a 30 s bucket more.
    for (const [sec, contradicted] of [[1500, true], [1530, false]] as const) {
      b = new IncidentBuilder();
      gauges(b);
      restSample(b, sec, MAP, 0.27);
      restSample(b, sec, WINDOW, 0);
      const found = byRule(b.finish().findings([backpressureOrigin]), 'backpressure.origin');
      expect(found.length, `LOW ratio ${sec - 1200} s after the last gauge`).toBe(contradicted ? 0 : 1);
      if (sec !== 1530) b.close();
    }
  });

  it('follows plan edges from REST when they exist', () => {
    b = new IncidentBuilder();
    const ids = ['a0', 'b0', 'c0', 'd0'].map((p) => p.padEnd(32, '0'));
    VERTICES.forEach((name, i) => b.vertex(ids[i]!, name, 4));
    for (let i = 0; i < 3; i++) b.edge(ids[i]!, ids[i + 1]!);
    healthyJob(b, 10);
    for (let sec = 600; sec <= 1200; sec += 30) {
      b.bp(sec, SOURCE, 0, 0.95, 0.05, 0, ids[0]!);
      b.bp(sec, MAP, 0, 0.01, 0.99, 0, ids[1]!);
      b.bp(sec, WINDOW, 0, 0, 0.3, 0.7, ids[2]!);
      b.bp(sec, SINK, 0, 0, 0.1, 0.9, ids[3]!);
    }
    const [f] = byRule(b.finish().findings([backpressureOrigin]), 'backpressure.origin');
    expect(f!.title).toContain(`Backpressure originates at ${MAP}`);
    expect(f!.explanation).toContain('plan edges from the REST job dump');
    expect(f!.severity).toBe('warning');
  });

  it('stays quiet under mild (LOW) backpressure', () => {
    b = new IncidentBuilder();
    healthyJob(b, 20);
    windowBottleneck(b, 600, 0.3);
    expect(b.finish().findings([backpressureOrigin])).toEqual([]);
  });

  it('stays quiet on a short HIGH blip', () => {
    b = new IncidentBuilder();
    healthyJob(b, 20);
    b.bp(600, SOURCE, 0, 0.9, 0.1, 0);
    b.bp(630, SOURCE, 0, 0.05, 0.1, 0.85);
    expect(b.finish().findings([backpressureOrigin])).toEqual([]);
  });

  it('from logs alone, infers the origin from barrier start delays with low confidence', () => {
    b = new IncidentBuilder();
    healthyJob(b, 5);
    b.expired(6, 400);
    // DEBUG barrier lines: barriers reach Source at once, Map after 20 s, Window after 200 s, Sink right after Window.
    const delays: Record<string, number> = { [SOURCE]: 0.01, [MAP]: 20, [WINDOW]: 200, [SINK]: 201 };
    for (const [name, delay] of Object.entries(delays)) b.tmDebug('tm-1', 'barrier.received', 6, name, 0, 400 + delay);
    const [f] = byRule(b.finish().findings([backpressureOrigin]), 'backpressure.origin-from-barriers');
    expect(f).toBeDefined();
    expect(f!.title).toContain(`backpressure probably originates at ${WINDOW}`);
    expect(f!.confidence).toBeLessThan(0.5);
    expect(f!.missing.join(' ')).toContain('metrics.reporter');
  });
});

describe('unaligned checkpoints off under sustained backpressure (config smell)', () => {
  it('flags it when checkpoints expired', () => {
    b = new IncidentBuilder();
    healthyJob(b, 10);
    b.expired(11, 700);
    windowBottleneck(b);
    const [f] = byRule(b.finish().findings([configSmells]), 'config.unaligned-off-under-backpressure');
    expect(f!.severity).toBe('warning');
    expect(f!.explanation).toContain("execution.checkpointing.unaligned = false (Flink's default; not in the bundle)");
  });

  it('is quiet when unaligned checkpoints are enabled', () => {
    b = new IncidentBuilder();
    healthyJob(b, 10);
    b.config('execution.checkpointing.unaligned', 'true');
    b.expired(11, 700);
    windowBottleneck(b);
    expect(byRule(b.finish().findings([configSmells]), 'config.unaligned-off-under-backpressure')).toEqual([]);
  });
});
