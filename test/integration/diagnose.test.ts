import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { incidentSummary } from '../../src-main/core/analysis/findings/summary.js';
import { ingest } from '../../src-main/core/ingest/ingest.js';
import { openIncident, type Db } from '../../src-main/core/store/database.js';
import { listFindings, type EvidenceRef, type FindingRow, type IncidentSummary } from '../../src-main/core/store/queries/findings.js';
import { recordsAt } from '../../src-main/core/store/queries/logs.js';
import { DEFAULT_SEED, generateBundle, type ExpectedCluster, type GenerateOptions } from '../synth/generate.js';

/**
 * The diagnosis acceptance test: generated incidents (their expected.json is the ground truth of what was planted)
 * go through the real ingest, whose rebuild runs the diagnosis; the stored findings and the incident summary must
 * name the planted root cause first, point at the right log lines, GC events, checkpoints and subtasks, stay quiet
 * on healthy and near-miss bundles, and say honestly what evidence a stripped bundle lacks.
 */
const work = mkdtempSync(join(tmpdir(), 'sluice-diagnose-'));
const opened: Db[] = [];
afterAll(() => {
  for (const db of opened) db.close();
  rmSync(work, { recursive: true, force: true });
});

const VERSIONS = ['1.10', '1.13', '1.17'] as const;

interface Diagnosed {
  db: Db;
  cluster: ExpectedCluster;
  findings: FindingRow[];
  summary: IncidentSummary;
}

const diagnosed = new Map<string, Promise<Diagnosed>>();

/**
 * Generates a bundle, deletes `remove` (paths relative to the bundle) from it, ingests it and reads the diagnosis;
 * once per name, so tests that look at the same bundle from different angles share it.
 */
function diagnose(name: string, options: Partial<GenerateOptions>, remove: string[] = []): Promise<Diagnosed> {
  const known = diagnosed.get(name);
  if (known !== undefined) return known;
  const pending = generateAndIngest(name, options, remove);
  diagnosed.set(name, pending);
  return pending;
}

async function generateAndIngest(name: string, options: Partial<GenerateOptions>, remove: string[]): Promise<Diagnosed> {
  const out = join(work, name);
  const bundle = await generateBundle({
    scenario: 'healthy', version: '1.17', tms: 2, out, sizeBytes: null, seed: DEFAULT_SEED, archive: 'none',
    debug: false, nearMiss: false, mixedVersions: false, nestJmLogs: false, ...options,
  });
  for (const path of remove) rmSync(join(out, path), { recursive: true, force: true });
  const incident = join(work, `${name}.sluice`);
  const result = await ingest({ inputs: [out], incidentPath: incident });
  expect(result.sources.filter((s) => s.status === 'failed')).toEqual([]);
  const db = openIncident(incident, { readonly: true });
  opened.push(db);
  return { db, cluster: bundle.expected.clusters[0]!, findings: listFindings(db), summary: incidentSummary(db) };
}

// ───────────── evidence resolution ─────────────

/** The log record an evidence reference points at (first line and folded continuation lines). */
function recordText(db: Db, ref: EvidenceRef): string {
  expect(ref.sourceId, `${ref.label}: source`).toBeDefined();
  expect(ref.line, `${ref.label}: line`).toBeDefined();
  const [record] = recordsAt(db, [{ sourceId: ref.sourceId!, line: ref.line! }]);
  expect(record, `${ref.label}: a stored log record`).toBeDefined();
  return [record!.text, ...record!.more].join('\n');
}

/** An event reference must name the event row's own line, and resolve to a log record. */
function eventText(db: Db, ref: EvidenceRef): string {
  const row = db.prepare('SELECT source_id, line FROM event WHERE id = ?').get(ref.id) as { source_id: number; line: number } | undefined;
  expect(row, `${ref.label}: event ${ref.id} exists`).toBeDefined();
  expect({ sourceId: ref.sourceId, line: ref.line }).toEqual({ sourceId: row!.source_id, line: row!.line });
  return recordText(db, ref);
}

function sourcePath(db: Db, sourceId: number): string {
  return (db.prepare('SELECT path FROM source WHERE id = ?').get(sourceId) as { path: string }).path;
}

interface GcRow {
  startMs: number;
  durationMs: number;
  kind: string;
  path: string;
}

function gcRow(db: Db, id: number): GcRow {
  const row = db
    .prepare('SELECT g.start_us, g.duration_us, g.kind, s.path FROM gc_event g JOIN source s ON s.id = g.source_id WHERE g.id = ?')
    .get(id) as { start_us: number; duration_us: number; kind: string; path: string } | undefined;
  expect(row, `gc_event ${id} exists`).toBeDefined();
  return { startMs: row!.start_us / 1000, durationMs: row!.duration_us / 1000, kind: row!.kind, path: row!.path };
}

/** The GC evidence of a finding that is the planted pause (same GC log, same start and duration to the millisecond). */
function plantedPause(db: Db, finding: FindingRow, pause: { gcLogFile: string; startMs: number; durationMs: number }): GcRow | undefined {
  return finding.evidence
    .filter((e) => e.type === 'gc')
    .map((e) => gcRow(db, e.id!))
    .find((g) => g.path.endsWith(pause.gcLogFile) && Math.abs(g.startMs - pause.startMs) < 1 && Math.abs(g.durationMs - pause.durationMs) < 1);
}

function evidenceKeys(f: FindingRow, type: EvidenceRef['type']): string[] {
  return f.evidence.filter((e) => e.type === type).map((e) => e.key!);
}

function tmOf(cluster: ExpectedCluster, host: string): { resourceId: string; gcLogFile: string; logFile: string } {
  return cluster.taskManagers.find((t) => t.host === host)!;
}

/** `9.4 s` as the findings write durations. */
function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function loud(findings: FindingRow[]): FindingRow[] {
  return findings.filter((f) => f.severity !== 'info');
}

/** Hypotheses are the root-cause findings in rank order: the first hypothesis is the first cause finding. */
function expectHypothesesInRankOrder({ summary, findings }: Diagnosed): void {
  const ids = summary.hypotheses.map((h) => h.findingId);
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  for (const h of summary.hypotheses) expect(findings.find((f) => f.id === h.findingId)!.rule).toBe(h.rule);
}

// ───────────── scenarios ─────────────

describe('diagnosis of generated incidents', () => {
  for (const version of VERSIONS) {
    it(`healthy job: no warning or error, no hypothesis (Flink ${version})`, async () => {
      const d = await diagnose(`healthy-${version}`, { scenario: 'healthy', version });
      expect(loud(d.findings).map((f) => `${f.rule}: ${f.title}`)).toEqual([]);
      expect(d.summary.hypotheses).toEqual([]);
      expect(d.summary.firstFailure).toBeNull();
      expect(d.summary.checkpoints.completed).toBe(d.cluster.checkpoints.length);
    });

    it(`backpressure-expired: the slow sink and the GC pause in the straggler's barrier window rank above the failover (Flink ${version})`, async () => {
      const d = await diagnose(`backpressure-${version}`, { scenario: 'backpressure-expired', version });
      const { db, cluster, findings, summary } = d;
      const job = cluster.job.id;
      const expired = cluster.checkpoints.filter((c) => c.outcome === 'EXPIRED').map((c) => c.id);
      const rootCause = cluster.rootCause as { straggler: { vertexId: string; vertexName: string; subtask: number; tm: string }; longestFullGc: { startMs: number; durationMs: number } };
      const straggler = rootCause.straggler;
      const heavy = tmOf(cluster, cluster.gcHeavyTm!);
      const sink = cluster.job.vertices.find((v) => v.id === cluster.backpressure!.bottleneckVertexId)!;
      expect(expired.length).toBeGreaterThanOrEqual(3);

      // The root cause leads: backpressure from the sink, with the GC-heavy TaskManager's pause beside it.
      expectHypothesesInRankOrder(d);
      const origin = findings.find((f) => f.rule === 'backpressure.origin')!;
      const firstPause = findings.find((f) => f.rule === 'gc.pause-in-barrier-window' && f.checkpointId === expired[0])!;
      expect(origin).toBeDefined();
      expect(firstPause).toBeDefined();
      const top = summary.hypotheses.slice(0, 2).map((h) => h.findingId).sort((a, b) => a - b);
      expect(top).toEqual([origin.id, firstPause.id].sort((a, b) => a - b));
      expect(findings[0]!.id).toBe(top[0]);

      // The failover is a consequence of the failing checkpoints: below its cause, and not a hypothesis.
      const failover = findings.find((f) => f.rule.startsWith('failures.'))!;
      expect(failover.rule).toBe('failures.checkpoint-failover');
      expect(failover.title).toContain('tolerable');
      expect(failover.id).toBeGreaterThan(Math.max(origin.id, firstPause.id));
      expect(summary.hypotheses.map((h) => h.rule)).not.toContain('failures.checkpoint-failover');
      const failoverLine = eventText(db, failover.evidence.find((e) => e.type === 'event')!);
      expect(failoverLine).toContain('Exceeded checkpoint tolerable failure threshold');

      // Backpressure origin: names the sink, the expired checkpoints, and its samples.
      expect(origin.title).toContain(`Backpressure originates at ${sink.name}`);
      for (const id of expired) expect(evidenceKeys(origin, 'checkpoint')).toContain(`${job}/${id}`);
      expect(origin.explanation).toContain(`Checkpoints ${expired[0]}, ${expired[1]} and ${expired[2]} expired during it`);
      expect(origin.explanation).toMatch(/came first/);
      const bpIds = origin.evidence.filter((e) => e.type === 'bp').map((e) => e.id!);
      const bpVertices = db.prepare(`SELECT DISTINCT vertex_id FROM bp_sample WHERE id IN (${bpIds.join(',')})`).all() as Array<{ vertex_id: string }>;
      expect(bpVertices.map((v) => v.vertex_id)).toContain(sink.id);
      expect(bpVertices.map((v) => v.vertex_id).some((v) => cluster.backpressure!.backpressuredVertexIds.includes(v))).toBe(true);

      // The GC pause: the planted full GC, on the GC-heavy TaskManager, for the straggler subtask.
      expect(firstPause.tm).toBe(heavy.resourceId);
      expect(firstPause.title).toContain(`${seconds(rootCause.longestFullGc.durationMs)} full GC`);
      expect(firstPause.title).toContain(`checkpoint ${expired[0]}`);
      expect(plantedPause(db, firstPause, { gcLogFile: heavy.gcLogFile, ...rootCause.longestFullGc })).toMatchObject({ kind: 'full' });
      expect(evidenceKeys(firstPause, 'subtask')).toEqual([`${job}/${expired[0]}/${straggler.vertexId}/${straggler.subtask}`]);

      // Every expired checkpoint is explained by its straggler, on its TaskManager, with lines naming it.
      for (const id of expired) {
        const anatomy = findings.find((f) => f.rule === 'checkpoint.anatomy' && f.checkpointId === id)!;
        expect(anatomy, `anatomy of checkpoint ${id}`).toBeDefined();
        expect(anatomy.tm).toBe(heavy.resourceId);
        expect(anatomy.title).toContain(`Checkpoint ${id} expired`);
        expect(anatomy.title).toContain(`${straggler.vertexName} (${straggler.subtask + 1}/4)`);
        expect(anatomy.title).toContain(cluster.gcHeavyTm!);
        expect(evidenceKeys(anatomy, 'subtask')).toContain(`${job}/${id}/${straggler.vertexId}/${straggler.subtask}`);
        for (const ref of anatomy.evidence.filter((e) => e.type === 'event')) expect(eventText(db, ref)).toMatch(new RegExp(`\\b${id}\\b`));
        expect(anatomy.id).toBeGreaterThan(top[0]!);
      }
      expect(summary.firstFailure?.what).toBe(`Checkpoint ${expired[0]} expired`);
    });

    it(`declined-task-failure: the task that ran out of disk is the first hypothesis (Flink ${version})`, async () => {
      const d = await diagnose(`declined-${version}`, { scenario: 'declined-task-failure', version });
      const { db, cluster, findings, summary } = d;
      const job = cluster.job.id;
      const rootCause = cluster.rootCause as { task: { vertexId: string; vertexName: string; subtask: number; tm: string }; declinedCheckpointId: number; rootMessage: string };
      const task = rootCause.task;
      const tm = tmOf(cluster, task.tm);
      const label = `${task.vertexName} (${task.subtask + 1}/4)`;

      expectHypothesesInRankOrder(d);
      const first = findings.find((f) => f.id === summary.hypotheses[0]!.findingId)!;
      expect(findings[0]!.id).toBe(first.id);
      expect(first.rule).toBe('failures.job-failure');
      expect(first.tm).toBe(tm.resourceId);
      expect(first.title).toContain(label);
      expect(first.title).toContain(task.tm);
      expect(first.title).toContain(rootCause.rootMessage);
      const failedLine = eventText(db, first.evidence[0]!);
      const failedIn = sourcePath(db, first.evidence[0]!.sourceId!);
      expect([tm.logFile, cluster.jobManager.logFile].some((log) => failedIn.endsWith(log)), failedIn).toBe(true);
      expect(failedLine).toContain(`${task.vertexName} (${task.subtask + 1}/4)`);
      expect(failedLine).toMatch(/switched from RUNNING to FAILED/);
      expect(failedLine).toContain(rootCause.rootMessage);

      const anatomy = findings.find((f) => f.rule === 'checkpoint.anatomy' && f.checkpointId === rootCause.declinedCheckpointId)!;
      expect(anatomy).toBeDefined();
      expect(anatomy.tm).toBe(tm.resourceId);
      expect(anatomy.title).toContain(`Checkpoint ${rootCause.declinedCheckpointId} was declined`);
      expect(anatomy.title).toContain(label);
      expect(anatomy.explanation).toContain(rootCause.rootMessage);
      expect(evidenceKeys(anatomy, 'subtask')).toContain(`${job}/${rootCause.declinedCheckpointId}/${task.vertexId}/${task.subtask}`);
      const declineLines = anatomy.evidence.filter((e) => e.type === 'event').map((e) => eventText(db, e));
      expect(declineLines.some((t) => t.includes(String(rootCause.declinedCheckpointId)) && /[Dd]eclin/.test(t))).toBe(true);
      expect(anatomy.id).toBeGreaterThan(first.id);
      expect(loud(findings).filter((f) => f.rule === 'failures.connector' || f.rule === 'failures.rpc-timeout')).toEqual([]);
    });

    it(`tm-lost: the heartbeat timeout after the long GC pause on that TaskManager is the first hypothesis (Flink ${version})`, async () => {
      const d = await diagnose(`tm-lost-${version}`, { scenario: 'tm-lost', version });
      const { db, cluster, findings, summary } = d;
      const lost = cluster.lostTm!;
      const tm = tmOf(cluster, lost.tm);
      const pause = { gcLogFile: tm.gcLogFile, startMs: lost.pauseStartMs, durationMs: lost.pauseEndMs - lost.pauseStartMs };

      expectHypothesesInRankOrder(d);
      const tmLost = findings.find((f) => f.rule === 'failures.tm-lost')!;
      const overHeartbeat = findings.find((f) => f.rule === 'gc.pause-over-heartbeat')!;
      expect(tmLost).toBeDefined();
      expect(overHeartbeat).toBeDefined();
      expect(summary.hypotheses.slice(0, 2).map((h) => h.findingId).sort((a, b) => a - b)).toEqual([tmLost.id, overHeartbeat.id].sort((a, b) => a - b));
      expect(findings[0]!.id).toBe(summary.hypotheses[0]!.findingId);

      for (const f of [tmLost, overHeartbeat]) {
        expect(f.tm).toBe(tm.resourceId);
        expect(f.title).toContain(lost.tm);
        expect(f.title).toContain(seconds(pause.durationMs));
        expect(plantedPause(db, f, pause), `${f.rule}: the planted pause`).toMatchObject({ kind: 'full' });
        const heartbeat = f.evidence.find((e) => e.type === 'event')!;
        const text = eventText(db, heartbeat);
        const heartbeatIn = sourcePath(db, heartbeat.sourceId!);
        expect(heartbeatIn.endsWith(cluster.jobManager.logFile), heartbeatIn).toBe(true);
        expect(text).toMatch(/[Hh]eartbeat of TaskManager with id/);
        expect(text).toContain(tm.resourceId);
      }
      expect(tmLost.explanation).toContain('longer than the 50.0 s heartbeat timeout');

      // The failover it caused and the TaskManager's own complaints after waking up are consequences.
      const failover = findings.find((f) => f.rule === 'failures.tm-lost-failover')!;
      expect(failover).toBeDefined();
      expect(failover.id).toBeGreaterThan(Math.max(tmLost.id, overHeartbeat.id));
      expect(summary.hypotheses.map((h) => h.rule)).not.toContain('failures.tm-lost-failover');
      expect(loud(findings).filter((f) => ['failures.connector', 'failures.jm-heartbeat', 'failures.rpc-timeout'].includes(f.rule)).map((f) => f.title)).toEqual([]);
    });
  }

  // ───────────── near misses ─────────────

  for (const version of VERSIONS) {
    it(`healthy with near misses (short GC pause between checkpoints, 1.3× skew, LOW backpressure) stays quiet (Flink ${version})`, async () => {
      const d = await diagnose(`near-miss-healthy-${version}`, { scenario: 'healthy', version, nearMiss: true });
      const nearMiss = d.cluster.nearMiss!;
      expect(nearMiss.gcPause).not.toBeNull();
      // The near-miss pause is in the incident (so silence is a decision, not a parse gap).
      const pauseRows = d.db.prepare('SELECT count(*) AS n FROM gc_event WHERE abs(start_us / 1000 - ?) < 1 AND abs(duration_us / 1000 - ?) < 1')
        .get(nearMiss.gcPause!.startMs, nearMiss.gcPause!.durationMs) as { n: number };
      expect(pauseRows.n).toBe(1);
      expect(loud(d.findings).map((f) => `${f.rule}: ${f.title}`)).toEqual([]);
      expect(d.summary.hypotheses).toEqual([]);
    });
  }

  it('backpressure-expired with near misses: the planted cause still leads, the near-missed things raise nothing', async () => {
    const d = await diagnose('near-miss-backpressure', { scenario: 'backpressure-expired', version: '1.17', nearMiss: true });
    const { db, cluster, findings, summary } = d;
    const nearMiss = cluster.nearMiss!;
    expectHypothesesInRankOrder(d);
    expect(['backpressure.origin', 'gc.pause-in-barrier-window']).toContain(summary.hypotheses[0]!.rule);
    const nearTm = tmOf(cluster, nearMiss.gcPause!.tm);
    for (const f of loud(findings)) {
      expect(plantedPause(db, f, { gcLogFile: nearTm.gcLogFile, ...nearMiss.gcPause! }), `${f.rule} cites the near-miss pause`).toBeUndefined();
    }
    expect(loud(findings).filter((f) => f.rule.startsWith('skew.')).map((f) => f.title)).toEqual([]);
    const mapVertex = cluster.job.vertices.find((v) => v.id === nearMiss.lowBackpressure!.vertexId)!;
    // Map -> Filter is back-pressured in this scenario anyway (upstream of the sink): only the origin must not be it.
    expect(findings.find((f) => f.rule === 'backpressure.origin')!.title).not.toContain(`originates at ${mapVertex.name}`);
  });

  // ───────────── missing evidence ─────────────

  it('without REST dumps (and no DEBUG lines) the diagnosis still names the cause and says how to capture REST and DEBUG', async () => {
    const d = await diagnose('no-rest', { scenario: 'backpressure-expired', version: '1.13' }, ['rest']);
    const { findings, summary, cluster } = d;
    expectHypothesesInRankOrder(d);
    expect(['backpressure.origin', 'gc.pause-in-barrier-window']).toContain(summary.hypotheses[0]!.rule);
    const noRest = findings.find((f) => f.rule === 'coverage.no-rest')!;
    expect(noRest).toBeDefined();
    expect(noRest.actions.join(' ')).toContain(`/jobs/${cluster.job.id}/checkpoints`);
    const noPhases = findings.find((f) => f.rule === 'coverage.no-phase-split')!;
    expect(noPhases).toBeDefined();
    expect(noPhases.actions.join(' ')).toContain('org.apache.flink.streaming.runtime.tasks');
    expect(noPhases.actions.join(' ')).toContain('DEBUG');
    expect(summary.missingEvidence).toEqual(expect.arrayContaining([noRest.title, noPhases.title]));
    const origin = findings.find((f) => f.rule === 'backpressure.origin')!;
    expect(origin.missing.join(' ')).toMatch(/No job plan/);
    const anatomy = findings.find((f) => f.rule === 'checkpoint.anatomy')!;
    expect(anatomy.missing.join(' ')).toContain('org.apache.flink.streaming.runtime.tasks');
  });

  it('without DEBUG lines, a straggler that never acknowledged has no phase: the anatomy and the summary say so and how to turn DEBUG on', async () => {
    const d = await diagnose('backpressure-1.17', { scenario: 'backpressure-expired', version: '1.17' });
    const { findings, summary, cluster } = d;
    const never = cluster.checkpoints.filter((c) => c.outcome === 'EXPIRED' && c.lateAcks.length === 0 && c.pending.length > 0).map((c) => c.id);
    expect(never.length).toBeGreaterThan(0);
    const anatomy = findings.find((f) => f.rule === 'checkpoint.anatomy' && f.checkpointId === never[0])!;
    expect(anatomy.title).toContain('never acknowledged');
    expect(anatomy.explanation).toMatch(/phase .* unknown/);
    expect(anatomy.missing.join(' ')).toContain('logger.cptasks.level = DEBUG');
    const coverage = findings.find((f) => f.rule === 'coverage.no-phase-debug')!;
    expect(coverage).toBeDefined();
    expect(coverage.title).toContain(cluster.gcHeavyTm!);
    expect(summary.missingEvidence).toContain(coverage.title);

    // With DEBUG on, the same straggler's phase is known and nothing is reported missing about it.
    const withDebug = await diagnose('with-debug', { scenario: 'backpressure-expired', version: '1.17', debug: true });
    expect(withDebug.findings.find((f) => f.rule === 'coverage.no-phase-debug')).toBeUndefined();
    const debugAnatomy = withDebug.findings.find((f) => f.rule === 'checkpoint.anatomy' && f.checkpointId === never[0])!;
    expect(debugAnatomy.missing.join(' ')).not.toContain('logger.cptasks.level');
  });

  it('without GC logs, the lost TaskManager is still the first hypothesis and the missing GC evidence is named with the JVM flags', async () => {
    const d = await diagnose('no-gc', { scenario: 'tm-lost', version: '1.17' }, ['gc']);
    const { findings, summary, cluster } = d;
    const lost = tmOf(cluster, cluster.lostTm!.tm);
    expectHypothesesInRankOrder(d);
    const tmLost = findings.find((f) => f.id === summary.hypotheses[0]!.findingId)!;
    expect(tmLost.rule).toBe('failures.tm-lost');
    expect(tmLost.tm).toBe(lost.resourceId);
    expect(tmLost.explanation).toContain('cannot be confirmed or ruled out');
    expect(tmLost.missing.join(' ')).toContain('-Xlog:gc*');
    expect(findings.filter((f) => f.rule.startsWith('gc.') && f.rule !== 'gc.time-share-metric')).toEqual([]);
    const noGc = findings.find((f) => f.rule === 'coverage.no-gc-log')!;
    expect(noGc).toBeDefined();
    expect(noGc.actions.join(' ')).toContain('-XX:+PrintGCDetails');
    expect(summary.missingEvidence).toContain('No GC logs in the bundle');
  });
});
