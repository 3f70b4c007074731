import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GcEventRecord } from '../../../src-main/core/model/records.js';
import { openIncident, type Db } from '../../../src-main/core/store/database.js';
import { gcSummary, maxPauseShare, percentile } from '../../../src-main/core/store/queries/gc.js';
import { IncidentWriter } from '../../../src-main/core/store/writer.js';

const T0 = Date.UTC(2024, 2, 1, 10, 0, 0) * 1000;
let dir: string;
let db: Db;
let writer: IncidentWriter;
let sha = 0;

function gcFile(path: string, jvm: string, events: Array<Partial<GcEventRecord>>, tmId?: string): void {
  const hash = `sha-${++sha}`;
  writer.beginSource({ path, detection: { kind: 'gc-log', format: 'test', reason: 'test' }, sha256: hash, bytes: 1, tz: 'UTC', clockOffsetUs: 0 });
  writer.facts({ gcCollector: 'G1', tmResourceId: tmId });
  events.forEach((e, i) =>
    writer.gc({ start: Number.NaN, durationUs: 0, eventClass: 'pause', kind: 'young', name: 'Pause Young', line: i + 1, lineCount: 1, timeConfidence: 'exact', timeBasis: 'logged-start', ...e }, jvm),
  );
  writer.commitSource({ sha256: hash, bytes: 1, lines: events.length, events: events.length, warnings: 0, timeFromUs: null, timeToUs: null });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-gc-q-'));
  db = openIncident(join(dir, 'i.sluice'), { create: true });
  writer = new IncidentWriter(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('gcSummary', () => {
  it('summarizes one JVM across rotated files: kinds, max, p99, full count, longest, heap-after trend, shares', () => {
    // gc.log.1 is the older file; gc.log.0.current the newer: stitched by time, not by name.
    gcFile('tm-1/gc.log.0.current', 'tm-1/gc.log', [
      { start: T0 + 120e6, durationUs: 2_000_000, kind: 'full', name: 'Pause Full (Allocation Failure)', cause: 'Allocation Failure', heapAfterBytes: 300 },
      { start: T0 + 130e6, durationUs: 10_000, heapAfterBytes: 250 },
      { start: T0 + 130.5e6, durationUs: 50_000, eventClass: 'safepoint', kind: 'safepoint', name: 'G1CollectForAllocation' },
    ], 'tm-1-id');
    gcFile('tm-1/gc.log.1', 'tm-1/gc.log', [
      { start: T0 + 59.5e6, durationUs: 1_000_000, heapAfterBytes: 100 },
      { start: T0 + 10e6, durationUs: 20_000, kind: 'mixed', heapAfterBytes: 500 },
      { start: T0 + 61e6, durationUs: 5_000, eventClass: 'concurrent', kind: 'concurrent-mark' },
    ]);

    const [s] = gcSummary(db);
    expect(s).toMatchObject({
      jvm: 'tm-1/gc.log',
      tmId: 'tm-1-id',
      sourcePaths: ['tm-1/gc.log.0.current', 'tm-1/gc.log.1'],
      collector: 'G1',
      axis: 'wall',
      pauseCount: 4,
      totalPauseMs: 3030,
      maxPauseMs: 2000,
      p99PauseMs: 2000,
      fullGcCount: 1,
      heapAfter: { firstBytes: 500, lastBytes: 250, maxBytes: 500 },
      safepoints: { count: 1, totalMs: 50, maxMs: 50 },
      allocationStalls: { count: 0, totalMs: 0, maxMs: 0 },
    });
    expect(s!.byKind).toEqual([
      { kind: 'full', count: 1, totalMs: 2000, maxMs: 2000 },
      { kind: 'young', count: 2, totalMs: 1010, maxMs: 1000 },
      { kind: 'mixed', count: 1, totalMs: 20, maxMs: 20 },
    ]);
    // Minute 10:02 holds the 2 s full + 10 ms young; the 1 s pause at 10:00:59.5 splits 0.5 s / 0.5 s.
    expect(s!.maxShare1m).toEqual({ share: 2010 / 60_000, windowStartUs: T0 + 120e6, windowStartIso: '2024-03-01T10:02:00.000Z' });
    expect(s!.maxShare5m).toEqual({ share: 3030 / 300_000, windowStartUs: T0, windowStartIso: '2024-03-01T10:00:00.000Z' });
    expect(s!.longestPauses.map((p) => [p.durationMs, p.startIso, p.sourcePath])).toEqual([
      [2000, '2024-03-01T10:02:00.000Z', 'tm-1/gc.log.0.current'],
      [1000, '2024-03-01T10:00:59.500Z', 'tm-1/gc.log.1'],
      [20, '2024-03-01T10:00:10.000Z', 'tm-1/gc.log.1'],
      [10, '2024-03-01T10:02:10.000Z', 'tm-1/gc.log.0.current'],
    ]);
  });

  it('falls back to the uptime axis for unanchored JVMs and reports the weakest confidence', () => {
    gcFile('tm-2/gc,all.log', 'tm-2/gc,all.log', [
      { uptimeUs: 1_000_000, durationUs: 3000, timeConfidence: 'none', timeBasis: 'uptime' },
      { uptimeUs: 2_000_000, durationUs: 4000, timeConfidence: 'none', timeBasis: 'uptime' },
    ]);
    const [s] = gcSummary(db);
    expect(s).toMatchObject({ axis: 'uptime', timeConfidence: 'none', sourcePaths: ['tm-2/gc,all.log'], totalPauseMs: 7 });
    expect(s!.maxShare1m).toEqual({ share: 7000 / 60e6, windowStartUs: 0, windowStartIso: null });
    expect(s!.longestPauses[0]).toMatchObject({ startIso: null, uptimeMs: 2000, durationMs: 4 });
  });

  it('keeps only the ten longest pauses, ordered longest first', () => {
    gcFile('tm-3/gc.log', 'tm-3/gc.log', Array.from({ length: 25 }, (_, i) => ({ start: T0 + i * 1e6, durationUs: (i + 1) * 1000 })));
    const [s] = gcSummary(db);
    expect(s!.longestPauses.map((p) => p.durationMs)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    expect(s!.p99PauseMs).toBe(25);
  });
});

describe('helpers', () => {
  it('nearest-rank percentile', () => {
    const values = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(198);
    expect(percentile(values, 50)).toBe(100);
    expect(percentile([], 99)).toBe(0);
  });

  it('splits a pause across window edges', () => {
    expect(maxPauseShare([{ startUs: 50e6, durationUs: 20e6 }], 60e6)).toEqual({ share: 10 / 60, windowStartUs: 0 });
    expect(maxPauseShare([], 60e6)).toBeNull();
  });
});
