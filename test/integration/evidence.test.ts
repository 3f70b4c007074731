import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src-main/core/ingest/ingest.js';
import { openIncident, type Db } from '../../src-main/core/store/database.js';
import { listProfiles, mergedTree } from '../../src-main/core/store/queries/flame.js';
import { gcSummary } from '../../src-main/core/store/queries/gc.js';
import { packZip } from '../synth/archive.js';
import { DEFAULT_SEED, generateBundle, type ExpectedCluster } from '../synth/generate.js';

/**
 * Evidence beyond the Flink logs, joined in one store: one zip holding a synthetic incident's Flink logs, GC
 * logs, collapsed profiles, REST and Prometheus dumps, plus a real async-profiler JFR from the corpus placed
 * in the GC-heavy TaskManager's folder.
 */
const work = mkdtempSync(join(tmpdir(), 'sluice-evidence-'));
let db: Db;
let cluster: ExpectedCluster;
afterAll(() => {
  db?.close();
  rmSync(work, { recursive: true, force: true });
});

beforeAll(async () => {
  const bundle = await generateBundle({
    scenario: 'backpressure-expired', version: '1.17', tms: 3, out: join(work, 'incident'), sizeBytes: null, seed: DEFAULT_SEED,
    archive: 'none', debug: false, nearMiss: false, mixedVersions: false, nestJmLogs: false,
  });
  cluster = bundle.expected.clusters[0]!;
  mkdirSync(join(bundle.out, 'profiles', 'tm-2'), { recursive: true });
  copyFileSync('../shared/corpus/flame/15-async-profiler-cpu.jfr.gz', join(bundle.out, 'profiles', 'tm-2', 'cpu.jfr.gz'));
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(relative(bundle.out, path));
    }
  };
  walk(bundle.out);
  const zip = join(work, 'incident.zip');
  await packZip(bundle.out, files, zip);
  const incident = join(work, 'incident.sluice');
  await ingest({ inputs: [zip], incidentPath: incident });
  db = openIncident(incident, { readonly: true });
});

describe('one archive, every kind of evidence, joined', () => {
  it('detects every kind', () => {
    const kinds = (db.prepare('SELECT kind, count(*) AS n FROM source GROUP BY kind').all() as Array<{ kind: string; n: number }>).map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(['flink-jm-log', 'flink-tm-log', 'gc-log', 'flame', 'rest-json', 'metrics']));
  });

  it('attributes each GC log to the TaskManager that wrote it', () => {
    for (const tm of cluster.taskManagers) {
      const gc = db.prepare("SELECT tm_id, host FROM source WHERE kind = 'gc-log' AND path LIKE ?").get(`%${tm.gcLogFile}`) as { tm_id: string | null; host: string | null };
      expect(gc, tm.gcLogFile).toBeDefined();
      expect(gc.tm_id, tm.gcLogFile).toBe(tm.resourceId);
    }
    const heavy = cluster.taskManagers.find((t) => t.host === cluster.gcHeavyTm)!;
    const summary = gcSummary(db).find((j) => j.tmId === heavy.resourceId)!;
    expect(summary.fullGcCount).toBeGreaterThan(0);
    const planted = cluster.notableGcPauses.filter((p) => p.tm === heavy.host && p.kind === 'full');
    expect(planted.length).toBeGreaterThan(0);
    for (const pause of planted) {
      const row = db.prepare(
        "SELECT g.start_us FROM gc_event g JOIN source s ON s.id = g.source_id WHERE s.tm_id = ? AND g.kind = 'full' AND abs(g.start_us - ?) < 2000",
      ).get(heavy.resourceId, pause.startMs * 1000);
      expect(row, `full GC at ${new Date(pause.startMs).toISOString()}`).toBeDefined();
    }
  });

  it('puts REST subtask phases on the right checkpoints and keeps log evidence beside them', () => {
    const failed = cluster.checkpoints.filter((c) => c.outcome !== 'COMPLETED');
    for (const checkpoint of failed) {
      const rows = db.prepare('SELECT vertex_name, subtask, status, sync_ms, async_ms, alignment_ms, start_delay_ms, phase_source, tm FROM subtask_checkpoint WHERE job = ? AND checkpoint_id = ?')
        .all(cluster.job.id, checkpoint.id) as Array<{ vertex_name: string; subtask: number; status: string; sync_ms: number | null; async_ms: number | null; alignment_ms: number | null; start_delay_ms: number | null; phase_source: string | null; tm: string | null }>;
      expect(rows.length, `checkpoint ${checkpoint.id}`).toBe(checkpoint.total);
      const acked = rows.filter((r) => r.status === 'acknowledged');
      expect(acked.length).toBeGreaterThan(0);
      for (const r of acked) {
        expect(r.phase_source).toMatch(/rest|mixed/);
        expect(r.sync_ms).not.toBeNull();
        expect(r.async_ms).not.toBeNull();
        expect(r.alignment_ms).not.toBeNull();
        expect(r.tm).not.toBeNull();
      }
      for (const straggler of checkpoint.pending) {
        const row = rows.find((r) => r.vertex_name === straggler.vertexName && r.subtask === straggler.subtask)!;
        expect(['pending', 'late']).toContain(row.status);
        expect(row.tm).toBe(cluster.taskManagers.find((t) => t.host === straggler.tm)!.resourceId);
      }
    }
  });

  it('turns Prometheus task metrics into per-subtask backpressure under the real vertex names', () => {
    const names = (db.prepare("SELECT DISTINCT vertex_name FROM bp_sample WHERE origin = 'metric'").all() as Array<{ vertex_name: string }>).map((r) => r.vertex_name);
    expect(names.sort()).toEqual(cluster.job.vertices.map((v) => v.name).sort());
    const bottleneck = cluster.job.vertices.find((v) => v.id === cluster.backpressure!.bottleneckVertexId)!;
    const upstream = db.prepare("SELECT max(ratio) AS r FROM bp_sample WHERE origin = 'metric' AND vertex_id != ? AND ts_us > ?").get(bottleneck.id, cluster.backpressure!.fromMs * 1000) as { r: number };
    expect(upstream.r).toBeGreaterThan(0.5);
  });

  it('keeps the profiles: collapsed captures of the GC-heavy TaskManager and the JFR with exact sample times', () => {
    const profiles = listProfiles(db);
    const jfr = profiles.find((p) => p.format.includes('jfr'))!;
    expect(jfr.timestamped).toBe(true);
    expect(jfr.host ?? jfr.tm).toContain('tm-2');
    expect(jfr.samples).toBeGreaterThan(10_000);
    const window = mergedTree(db, { from: jfr.startUs!, to: jfr.startUs! + (jfr.endUs! - jfr.startUs!) / 2 });
    expect(window.exact).toBe(true);
    expect(window.totalWeight).toBeGreaterThan(0);
    expect(window.totalWeight).toBeLessThan(jfr.samples);
    const collapsed = profiles.filter((p) => p.format === 'collapsed');
    expect(collapsed.length).toBeGreaterThan(0);
    expect(collapsed.every((p) => (p.host ?? p.tm ?? '').includes('tm-2'))).toBe(true);
  });
});
