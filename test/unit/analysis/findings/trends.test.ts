import { afterEach, describe, expect, it } from 'vitest';
import { trends } from '../../../../src-main/core/analysis/findings/rules/trends.js';
import { byRule, healthyJob, IncidentBuilder, TMS, VERTICES } from './builder.js';

let b: IncidentBuilder;
afterEach(() => b.close());

const GIB = 1024 ** 3;

describe('trends', () => {
  it('predicts when rising checkpoint durations reach the timeout', () => {
    b = new IncidentBuilder();
    b.deployJob(VERTICES, 4, TMS);
    // 10 s, 20 s, … 200 s, one checkpoint a minute: +10 min per hour.
    for (let i = 0; i < 20; i++) b.completed(i + 1, 60 + i * 60, 10_000 * (i + 1));
    const [f] = byRule(b.finish().findings([trends]), 'trend.duration-near-timeout');
    expect(f).toBeDefined();
    // duration = 10 s × (i + 1) at trigger 60 s × (i + 1): 600 s at 3600 s.
    expect(f!.title).toBe('Checkpoint durations are rising 10 min/h and would reach the 10 min timeout around 11:00:00');
    expect(f!.explanation).toContain("execution.checkpointing.timeout = 10 min (Flink's default; not in the bundle)");
    expect(f!.missing[0]).toContain('not in the bundle');
  });

  it('uses the configured timeout and says how close checkpoints are', () => {
    b = new IncidentBuilder();
    b.deployJob(VERTICES, 4, TMS);
    b.config('execution.checkpointing.timeout', '2 min');
    for (let i = 0; i < 10; i++) b.completed(i + 1, 60 + i * 180, 70_000 + (i % 3) * 1000);
    const [f] = byRule(b.finish().findings([trends]), 'trend.duration-near-timeout');
    expect(f!.title).toBe('Checkpoints take up to 72.0 s, 60 % of the 2 min timeout');
    expect(f!.evidence).toContainEqual(expect.objectContaining({ type: 'line', key: 'execution.checkpointing.timeout' }));
  });

  it('flags steadily growing checkpoint size', () => {
    b = new IncidentBuilder();
    b.deployJob(VERTICES, 4, TMS);
    for (let i = 0; i < 20; i++) b.completed(i + 1, 60 + i * 60, 2000, Math.round(GIB + (i * 2 * GIB) / 19));
    const [f] = byRule(b.finish().findings([trends]), 'trend.state-growing');
    expect(f!.title).toBe('Checkpoint size grew steadily from 1.0 GiB to 3.0 GiB (6.3 GiB/h)');
    expect(f!.explanation).toContain('heap state backend (state backend not in the bundle; heap is the default)');
  });

  it('flags consecutive failures beyond the tolerable threshold', () => {
    b = new IncidentBuilder();
    healthyJob(b, 5);
    b.config('execution.checkpointing.tolerable-failed-checkpoints', '2');
    b.expired(6, 400, 120);
    b.expired(7, 530, 120);
    b.expired(8, 660, 120);
    b.event(b.jm(), { sec: 780.1, kind: 'job.state', attrs: { from: 'RUNNING', to: 'RESTARTING' } });
    const [f] = byRule(b.finish().findings([trends]), 'trend.consecutive-failures');
    expect(f!.severity).toBe('error');
    expect(f!.title).toBe('3 consecutive checkpoints failed (6, 7 and 8), more than the 2 tolerated: the job failed over at 10:13:00');
    expect(f!.explanation).toContain('execution.checkpointing.tolerable-failed-checkpoints = 2');
  });

  it('does not claim a failover the logs do not show when the tolerance is not in the bundle', () => {
    b = new IncidentBuilder();
    healthyJob(b, 5);
    b.expired(6, 400);
    const [f] = byRule(b.finish().findings([trends]), 'trend.consecutive-failures');
    expect(f!.severity).toBe('warning');
    expect(f!.title).toBe('Checkpoint 6 failed, more than the 0 tolerated');
    expect(f!.explanation).toContain('no failover is logged after it');
  });

  it('is quiet on a healthy job and on a single failure within a generous tolerance', () => {
    b = new IncidentBuilder();
    healthyJob(b, 20);
    b.config('execution.checkpointing.tolerable-failed-checkpoints', '5');
    b.expired(21, 1300, 600);
    b.completed(22, 1960, 2000);
    expect(b.finish().findings([trends])).toEqual([]);
  });
});
