import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src-main/core/ingest/ingest.js';
import { openIncident } from '../../src-main/core/store/database.js';
import { decodeBlock } from '../../src-main/core/store/log-blocks.js';
import { DEFAULT_SEED, generateBundle } from '../synth/generate.js';

const work = mkdtempSync(join(tmpdir(), 'sluice-ingest-'));
let bundle = '';
let zip = '';
beforeAll(async () => {
  const summary = await generateBundle({
    scenario: 'backpressure-expired', version: '1.17', tms: 2, out: join(work, 'bundle'), sizeBytes: null, seed: DEFAULT_SEED,
    archive: 'zip', debug: false, nearMiss: false, mixedVersions: false, nestJmLogs: false,
  });
  bundle = summary.out;
  zip = summary.archive!;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const counts = (path: string): Record<string, number> => {
  const db = openIncident(path, { readonly: true });
  try {
    const n = (table: string): number => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { source: n('source'), event: n('event'), log_block: n('log_block'), gc_event: n('gc_event'), checkpoint: n('checkpoint'), bp_sample: n('bp_sample') };
  } finally {
    db.close();
  }
};

describe('ingest', () => {
  it('re-importing the same files (folder or archive) is a no-op', async () => {
    const incident = join(work, 'reimport.sluice');
    const first = await ingest({ inputs: [bundle], incidentPath: incident });
    expect(first.sources.every((s) => s.status === 'done' || s.status === 'listed')).toBe(true);
    const before = counts(incident);
    const again = await ingest({ inputs: [bundle], incidentPath: incident });
    expect(again.sources.map((s) => s.status)).toEqual(again.sources.map(() => 'skipped-duplicate'));
    const fromZip = await ingest({ inputs: [zip], incidentPath: incident });
    expect(fromZip.sources.every((s) => s.status === 'skipped-duplicate')).toBe(true);
    expect(counts(incident)).toEqual(before);
  });

  it('keeps the raw lines, readable back from the compressed blocks', async () => {
    const incident = join(work, 'lines.sluice');
    await ingest({ inputs: [bundle], incidentPath: incident });
    const db = openIncident(incident, { readonly: true });
    try {
      const source = db.prepare("SELECT id, lines FROM source WHERE kind = 'flink-jm-log'").get() as { id: number; lines: number };
      const blocks = db.prepare('SELECT * FROM log_block WHERE source_id = ? ORDER BY block_no').all(source.id) as Parameters<typeof decodeBlock>[0][];
      const lines = blocks.flatMap((b) => decodeBlock(b));
      expect(lines).toHaveLength(source.lines);
      expect(lines.map((l) => l.line)).toEqual(Array.from({ length: source.lines }, (_, i) => i + 1));
      const trigger = lines.find((l) => l.text.includes('Triggering checkpoint 23 '))!;
      expect(trigger.text).toMatch(/^2023-06-14 \d\d:\d\d:\d\d,\d{3} INFO  org\.apache\.flink\.runtime\.checkpoint\.CheckpointCoordinator +\[\] - Triggering checkpoint 23 /);
      expect(trigger.tsUs).not.toBeNull();
      expect(lines.filter((l) => l.continuation).length).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('a bad file is reported with its name and line, and the rest still ingests', async () => {
    const dir = join(work, 'mixed-bad');
    mkdirSync(dir, { recursive: true });
    const good = '2023-06-14 09:12:40,117 INFO  org.apache.flink.runtime.checkpoint.CheckpointCoordinator    [] - Completed checkpoint 7 for job 3f9a1c07b2d54e6f8a0b1c2d3e4f5a6b (412733190 bytes, checkpointDuration=2566 ms, finalizationTime=3 ms).\n';
    writeFileSync(join(dir, 'jobmanager.log'), `${good}\u0000\u0000broken\xff\xfe line\n${'x'.repeat(1_200_000)}\n${good.replace('checkpoint 7 ', 'checkpoint 8 ')}`);
    const varied = Array.from({ length: 400 }, (_, i) => good.replace('checkpoint 7 ', `checkpoint ${100 + i} `).replace('412733190', String(i * 7919 * 104729))).join('');
    const gz = gzipSync(Buffer.from(varied));
    writeFileSync(join(dir, 'truncated.log.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
    writeFileSync(join(dir, 'blob.bin'), Buffer.from([0, 1, 2, 3, 0, 0, 255, 254, 0, 7]));
    // 25 lines with NUL bytes (a sparse file after a crash) past the sniffed head: 20 are listed, the rest counted once.
    writeFileSync(join(dir, 'sparse.log'), `${good.repeat(400)}${'\u0000\u0000 zeroed\n'.repeat(25)}${good}`);
    const incident = join(work, 'bad.sluice');
    const summary = await ingest({ inputs: [dir], incidentPath: incident });
    const byName = new Map(summary.sources.map((s) => [s.path.split('/').pop()!, s]));
    expect(byName.get('blob.bin')).toMatchObject({ kind: 'binary', status: 'listed' });
    expect(byName.get('jobmanager.log')).toMatchObject({ status: 'done', events: 2 });
    expect(byName.get('jobmanager.log')!.warnings).toBeGreaterThanOrEqual(2);
    const db = openIncident(incident, { readonly: true });
    try {
      const warnings = db.prepare('SELECT path, line, message FROM warning').all() as Array<{ path: string; line: number | null; message: string }>;
      expect(warnings.some((w) => w.path.endsWith('jobmanager.log') && w.line === 2 && /NUL/.test(w.message))).toBe(true);
      expect(warnings.some((w) => w.path.endsWith('jobmanager.log') && w.line === 3 && /longer than/.test(w.message))).toBe(true);
      expect(warnings.some((w) => w.path.includes('truncated.log.gz'))).toBe(true);
      const sparse = warnings.filter((w) => w.path.endsWith('sparse.log'));
      expect(sparse.filter((w) => /^line \d+: NUL bytes removed$/.test(w.message)).map((w) => w.line)).toEqual(Array.from({ length: 20 }, (_, i) => i + 401));
      expect(sparse.at(-1)).toEqual({ path: expect.stringMatching(/sparse\.log$/) as unknown, line: null, message: '5 more lines with NUL bytes (not listed one by one)' });
      expect(byName.get('sparse.log')).toMatchObject({ status: 'done', warnings: 21 });
      const checkpoints = (db.prepare('SELECT checkpoint_id FROM checkpoint ORDER BY checkpoint_id').all() as Array<{ checkpoint_id: number }>).map((r) => r.checkpoint_id);
      expect(checkpoints.slice(0, 3)).toEqual([7, 8, 100]);
      // Half of the truncated gzip decompressed: its first checkpoints are in, the rest is not invented.
      expect(checkpoints.length).toBeGreaterThan(50);
      expect(checkpoints.length).toBeLessThan(400);
    } finally {
      db.close();
    }
  });

  it('cancelling keeps finished files and leaves a consistent incident', async () => {
    const incident = join(work, 'cancel.sluice');
    const controller = new AbortController();
    let files = 0;
    const summary = await ingest({
      inputs: [bundle], incidentPath: incident, signal: controller.signal,
      onProgress: (p) => {
        if (p.filesDone > files) files = p.filesDone;
        if (files >= 3) controller.abort();
      },
    });
    expect(summary.cancelled).toBe(true);
    const db = openIncident(incident, { readonly: true });
    try {
      const sources = db.prepare('SELECT status FROM source').all() as Array<{ status: string }>;
      expect(sources.length).toBeGreaterThanOrEqual(3);
      expect(sources.every((s) => s.status === 'done' || s.status === 'listed')).toBe(true);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});
