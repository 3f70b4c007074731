import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src-main/core/ingest/ingest.js';
import { openIncident } from '../../src-main/core/store/database.js';
import { listCheckpoints, type CheckpointRow } from '../../src-main/core/store/queries/checkpoints.js';
import { DEFAULT_SEED, generateBundle, type ExpectedCluster, type GenerateOptions } from '../synth/generate.js';

/**
 * The engine foundation's acceptance test: generated bundles in each Flink version's exact wording go through
 * the real archive → detect → parse → store → derive path, and every checkpoint must come out with the
 * outcome, failure reason and stragglers the generator planted (its expected.json is the ground truth).
 */
const work = mkdtempSync(join(tmpdir(), 'sluice-it-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Sluice's outcomes: a checkpoint aborted by a failover is 'failed' (with the abort reason). */
const OUTCOMES: Record<string, string> = { COMPLETED: 'completed', EXPIRED: 'expired', DECLINED: 'declined', FAILED: 'failed', ABORTED: 'failed' };

interface Scenario {
  rows: CheckpointRow[];
  clusters: ExpectedCluster[];
  /** Paths (relative to the bundle) of the files the generator wrote. */
  files: string[];
}

async function ingestScenario(name: string, options: Partial<GenerateOptions>): Promise<Scenario> {
  const out = join(work, name);
  const summary = await generateBundle({
    scenario: 'backpressure-expired', version: '1.17', tms: 2, out, sizeBytes: null, seed: DEFAULT_SEED, archive: 'none',
    debug: false, nearMiss: false, mixedVersions: false, nestJmLogs: false, ...options,
  });
  const incident = join(work, `${name}.sluice`);
  const result = await ingest({ inputs: [summary.archive ?? out], incidentPath: incident });
  expect(result.sources.filter((s) => s.status === 'failed')).toEqual([]);
  const db = openIncident(incident, { readonly: true });
  try {
    return { rows: listCheckpoints(db), clusters: summary.expected.clusters, files: summary.expected.files.map((f) => f.path) };
  } finally {
    db.close();
  }
}

/**
 * Which planted stragglers the evidence can show: late acknowledgements are logged; subtasks that never
 * acknowledged are only knowable from REST checkpoint details (or DEBUG acks) — without them a declined
 * checkpoint still shows the subtask that declined.
 */
function assertCheckpoints({ rows, files }: Scenario, cluster: ExpectedCluster): void {
  const ours = rows.filter((r) => r.job === cluster.job.id);
  expect(ours.map((r) => r.checkpointId).sort((a, b) => a - b)).toEqual(cluster.checkpoints.map((c) => c.id).sort((a, b) => a - b));
  const resourceOf = new Map(cluster.taskManagers.map((t) => [t.host, t.resourceId]));
  for (const expected of cluster.checkpoints) {
    const row = ours.find((r) => r.checkpointId === expected.id)!;
    const label = `${cluster.flinkVersion} checkpoint ${expected.id}`;
    expect(row.outcome, label).toBe(OUTCOMES[expected.outcome] ?? expected.outcome.toLowerCase());
    if (expected.failureReason !== null) expect(row.failureReason, label).toContain(expected.failureReason);
    expect(row.triggerUs, label).toBe(expected.triggerMs * 1000);
    const restDetails = files.some((f) => f.startsWith(cluster.root) && f.includes(`/checkpoints/details/${expected.id}/subtasks/`));
    const wanted = new Map<string, { vertexName: string; subtask: number; tm: string }>();
    for (const s of [...(restDetails ? expected.pending : []), ...expected.lateAcks]) wanted.set(`${s.vertexName}/${s.subtask}`, s);
    if (expected.outcome === 'DECLINED' && !restDetails) {
      expect(expected.pending.some((p) => row.stragglers.some((r) => r.declined && r.vertexName === p.vertexName && r.subtask === p.subtask)), `${label}: the declining subtask`).toBe(true);
    }
    for (const s of wanted.values()) {
      const found = row.stragglers.find((r) => (r.vertexName === s.vertexName) && r.subtask === s.subtask);
      expect(found, `${label}: straggler ${s.vertexName} (${s.subtask + 1})`).toBeDefined();
      expect(found!.tm === resourceOf.get(s.tm) || found!.host === s.tm, `${label}: straggler TaskManager`).toBe(true);
    }
  }
}

describe('checkpoints from generated incidents', () => {
  it('a zip with a nested tar.gz of mixed Flink 1.10 / 1.13 / 1.17 logs lists every checkpoint right', async () => {
    const scenario = await ingestScenario('mixed', { mixedVersions: true, archive: 'zip', nestJmLogs: true });
    const { rows, clusters } = scenario;
    expect(clusters.map((c) => c.versionLine)).toEqual(['1.10', '1.13', '1.17']);
    for (const cluster of clusters) assertCheckpoints(scenario, cluster);
    expect(rows.filter((r) => r.outcome === 'expired').length).toBeGreaterThanOrEqual(6);
  });

  for (const version of ['1.10', '1.13', '1.17', '1.20'] as const) {
    it(`declined checkpoint after a task failure (Flink ${version})`, async () => {
      const scenario = await ingestScenario(`declined-${version}`, { scenario: 'declined-task-failure', version });
      assertCheckpoints(scenario, scenario.clusters[0]!);
      const declined = scenario.rows.filter((r) => r.outcome === 'declined');
      expect(declined.length).toBeGreaterThan(0);
      expect(declined[0]!.failureReason).toContain('No space left on device');
    });

    it(`TaskManager lost (Flink ${version})`, async () => {
      const scenario = await ingestScenario(`tm-lost-${version}`, { scenario: 'tm-lost', version });
      assertCheckpoints(scenario, scenario.clusters[0]!);
    });
  }

  it('a healthy job has only completed checkpoints, and DEBUG logs give the phase split', async () => {
    const scenario = await ingestScenario('healthy-debug', { scenario: 'healthy', debug: true });
    assertCheckpoints(scenario, scenario.clusters[0]!);
    expect(scenario.rows.every((r) => r.outcome === 'completed')).toBe(true);
  });
});
