import { afterEach, describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../../src-main/core/analysis/findings/engine.js';
import { roleOfRule } from '../../../../src-main/core/analysis/findings/roles.js';
import { incidentSummary } from '../../../../src-main/core/analysis/findings/summary.js';
import { listFindings } from '../../../../src-main/core/store/queries/findings.js';
import { healthyJob, IncidentBuilder, VERTICES, warningsOrErrors, windowBottleneck } from './builder.js';

let b: IncidentBuilder;
afterEach(() => b.close());

function backpressureExpired(builder: IncidentBuilder): void {
  healthyJob(builder, 10);
  builder.expired(11, 700);
  builder.late(11, 'Window(TumblingEventTimeWindows(60000), EventTimeTrigger, Agg)', 2, 1320, 'tm-1');
  windowBottleneck(builder);
}

describe('diagnosis engine', () => {
  it('a healthy incident with full coverage yields no warning or error', () => {
    b = new IncidentBuilder();
    healthyJob(b, 20);
    for (const tm of ['tm-1', 'tm-2']) {
      b.tmDebug(tm, 'subtask.sync-done', 5, 'Source: orders', tm === 'tm-1' ? 0 : 1, 300.5, { alignmentMs: 0, syncMs: 2 });
      for (let sec = 0; sec < 1300; sec += 20) b.gcPause(tm, sec, 30, { heapAfter: 500_000_000, heapMax: 4_000_000_000 });
    }
    for (let sec = 0; sec <= 1300; sec += 60) {
      for (const v of VERTICES) for (let s = 0; s < 4; s++) {
        b.bp(sec, v, s, 0.02, 0.3, 0.68);
        b.metric(sec, 'numRecordsInPerSecond', 1000 + s * 20, v, s);
      }
    }
    b.finish();
    const run = runDiagnosis(b.db);
    expect(run.failedRules).toEqual([]);
    expect(warningsOrErrors(run.findings).map((f) => f.title)).toEqual([]);
  });

  it('persists ranked findings: the planted cause first, symptoms after, coverage last', () => {
    b = new IncidentBuilder();
    backpressureExpired(b);
    b.finish();
    const run = runDiagnosis(b.db);
    const stored = listFindings(b.db);
    expect(stored.map((f) => f.title)).toEqual(run.findings.map((f) => f.title));
    expect(stored[0]!.rule).toBe('backpressure.origin');
    expect(stored[0]!.id).toBe(1);
    const anatomy = stored.findIndex((f) => f.rule === 'checkpoint.anatomy');
    const firstCoverage = stored.findIndex((f) => f.rule.startsWith('coverage.'));
    expect(anatomy).toBeGreaterThan(0);
    expect(firstCoverage).toBeGreaterThan(anatomy);
    expect(stored[anatomy]!.explanation).toContain('HIGH back-pressured');
    // Re-running replaces, never appends.
    runDiagnosis(b.db);
    expect(listFindings(b.db)).toHaveLength(stored.length);
    expect(listFindings(b.db, { checkpointId: 11 }).every((f) => f.checkpointId === 11)).toBe(true);
  });

  it('every finding role matches what the summary derives from its rule id', () => {
    b = new IncidentBuilder();
    backpressureExpired(b);
    b.gcPause('tm-1', 1000, 14_000, { kind: 'full' });
    b.config('state.backend', 'rocksdb');
    const run = runDiagnosis(b.finish().db);
    expect(run.findings.length).toBeGreaterThan(5);
    for (const f of run.findings) expect({ rule: f.rule, role: roleOfRule(f.rule) }).toEqual({ rule: f.rule, role: f.role });
  });

  it('summarises the incident: span, job, first failure, outcomes, hypotheses in rank order, missing evidence', () => {
    b = new IncidentBuilder();
    backpressureExpired(b);
    runDiagnosis(b.finish().db);
    const s = incidentSummary(b.db);
    expect(s.jobs).toEqual([{ jobId: '3f9a1c07b2d54e6f8a0b1c2d3e4f5a6b', name: 'orders-enrichment', restarts: 0, finalState: null }]);
    expect(s.checkpoints).toMatchObject({ total: 11, completed: 10, expired: 1 });
    expect(s.firstFailure).toMatchObject({ what: 'Checkpoint 11 expired', evidence: { type: 'checkpoint' } });
    expect(s.hypotheses[0]!.rule).toBe('backpressure.origin');
    expect(s.hypotheses[0]!.sentence).toMatch(/^Backpressure originates at Window/);
    // Hypotheses keep the stored rank (severity, causes before consequences, confidence): the first one is the first finding.
    expect(s.hypotheses.map((h) => h.findingId)).toEqual([...s.hypotheses.map((h) => h.findingId)].sort((x, y) => x - y));
    expect(s.hypotheses[0]!.findingId).toBe(listFindings(b.db)[0]!.id);
    expect(s.missingEvidence).toContain('No GC logs in the bundle');
    expect(s.timeSpan.fromUs).not.toBeNull();
  });

  it('a healthy incident has no hypotheses and no first failure', () => {
    b = new IncidentBuilder();
    healthyJob(b, 10);
    runDiagnosis(b.finish().db);
    const s = incidentSummary(b.db);
    expect(s.hypotheses).toEqual([]);
    expect(s.firstFailure).toBeNull();
    expect(s.findingCounts).toMatchObject({ error: 0, warning: 0 });
  });
});
