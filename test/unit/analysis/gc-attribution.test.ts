import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attributeGcSources, reassignGcSource } from '../../../src-main/core/analysis/gc-attribution.js';
import type { GcEventRecord } from '../../../src-main/core/model/records.js';
import type { SourceFacts, SourceKind } from '../../../src-main/core/model/source.js';
import { openIncident, type Db } from '../../../src-main/core/store/database.js';
import { IncidentWriter } from '../../../src-main/core/store/writer.js';

const JVM_START = Date.UTC(2024, 2, 1, 10, 0, 0) * 1000;
let dir: string;
let db: Db;
let writer: IncidentWriter;
let shaCounter = 0;

function addSource(path: string, kind: SourceKind, facts: SourceFacts, gcEvents: GcEventRecord[] = [], range?: [number, number]): number {
  const sha = `sha-${++shaCounter}`;
  const id = writer.beginSource({ path, detection: { kind, format: 'test', reason: 'test' }, sha256: sha, bytes: 1, tz: 'UTC', clockOffsetUs: 0 });
  writer.facts(facts);
  for (const e of gcEvents) writer.gc(e, path.replace(/(\.\d+)?(\.current)?$/, ''));
  writer.commitSource({ sha256: sha, bytes: 1, lines: 1, events: gcEvents.length, warnings: 0, timeFromUs: range?.[0] ?? null, timeToUs: range?.[1] ?? null });
  return id;
}

const unanchored = (uptimeMs: number): GcEventRecord => ({
  start: Number.NaN, uptimeUs: uptimeMs * 1000, durationUs: 5000, eventClass: 'pause', kind: 'young', name: 'Pause Young',
  line: 1, lineCount: 1, timeConfidence: 'none', timeBasis: 'uptime',
});

const source = (id: number): { tm_id: string | null; host: string | null; facts: string; time_confidence: string | null } =>
  db.prepare('SELECT tm_id, host, facts, time_confidence FROM source WHERE id = ?').get(id) as never;
const events = (id: number): Array<{ start_us: number | null; time_confidence: string; time_basis: string; jvm: string }> =>
  db.prepare('SELECT start_us, time_confidence, time_basis, jvm FROM gc_event WHERE source_id = ? ORDER BY id').all(id) as never;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-gc-attr-'));
  db = openIncident(join(dir, 'incident.sluice'), { create: true });
  writer = new IncidentWriter(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('attributeGcSources', () => {
  it('attributes a GC log to the TM log in the same folder and anchors its uptimes on the JVM start', () => {
    addSource('b.zip!/tm-1/taskmanager.log', 'flink-tm-log', { component: 'taskmanager', tmResourceId: 'tm-1-id', host: 'host-a', jvmStartUs: JVM_START });
    addSource('b.zip!/tm-2/taskmanager.log', 'flink-tm-log', { component: 'taskmanager', tmResourceId: 'tm-2-id', host: 'host-a', jvmStartUs: JVM_START + 5e6 });
    const gc = addSource('b.zip!/tm-2/gc.log.0.current', 'gc-log', {}, [unanchored(1500), unanchored(2500)]);

    attributeGcSources(db);

    expect(source(gc)).toMatchObject({ tm_id: 'tm-2-id', host: 'host-a', time_confidence: 'estimated' });
    expect(JSON.parse(source(gc).facts)).toMatchObject({ tmAssignedBy: 'auto', tmMatch: expect.stringContaining('same folder b.zip!/tm-2') });
    expect(events(gc)).toEqual([
      { start_us: JVM_START + 5e6 + 1.5e6, time_confidence: 'estimated', time_basis: 'uptime+flink-banner', jvm: 'b.zip!/tm-2/gc.log' },
      { start_us: JVM_START + 5e6 + 2.5e6, time_confidence: 'estimated', time_basis: 'uptime+flink-banner', jvm: 'b.zip!/tm-2/gc.log' },
    ]);
  });

  it('matches by YARN container id across folders and leaves exactly-timed events alone', () => {
    addSource('logs/application_1/container_e05_1686734567890_0001_01_000002/taskmanager.log', 'flink-tm-log', { tmResourceId: 'container_e05_1686734567890_0001_01_000002', jvmStartUs: JVM_START });
    const exact: GcEventRecord = { ...unanchored(100), start: JVM_START + 100_000, timeConfidence: 'exact', timeBasis: 'end-minus-duration' };
    const gc = addSource('gc/container_e05_1686734567890_0001_01_000002.gc.log', 'gc-log', {}, [exact]);
    attributeGcSources(db);
    expect(source(gc).tm_id).toBe('container_e05_1686734567890_0001_01_000002');
    expect(events(gc)[0]).toMatchObject({ time_confidence: 'exact', time_basis: 'end-minus-duration' });
  });

  it('does not guess between two TMs on the same host; keeps the candidates', () => {
    addSource('x/tm-a.log', 'flink-tm-log', { tmResourceId: 'tm-a', host: 'h1', jvmStartUs: JVM_START });
    addSource('y/tm-b.log', 'flink-tm-log', { tmResourceId: 'tm-b', host: 'h1', jvmStartUs: JVM_START });
    const gc = addSource('z/gc.log', 'gc-log', { host: 'h1' }, [unanchored(10)]);
    attributeGcSources(db);
    expect(source(gc).tm_id).toBeNull();
    expect(JSON.parse(source(gc).facts).tmCandidates).toEqual(['tm-a', 'tm-b']);
    expect(events(gc)[0]!.start_us).toBeNull();
  });

  it('uses the pid of the GC log (UL pid decorator) against the Flink log', () => {
    addSource('a/jm.log', 'flink-jm-log', { component: 'jobmanager', pid: 4242, jvmStartUs: JVM_START });
    addSource('a/tm.log', 'flink-tm-log', { tmResourceId: 'tm-x', pid: 777, jvmStartUs: JVM_START + 1e6 });
    const gc = addSource('a/gc-777.log', 'gc-log', { pid: 777 }, [unanchored(10)]);
    attributeGcSources(db);
    expect(source(gc).tm_id).toBe('tm-x');
  });

  it('keeps a user reassignment over later automatic attribution and re-anchors on the chosen TM', () => {
    addSource('b/tm-1/taskmanager.log', 'flink-tm-log', { tmResourceId: 'tm-1', host: 'h1', jvmStartUs: JVM_START });
    addSource('b/tm-2/taskmanager.log', 'flink-tm-log', { tmResourceId: 'tm-2', host: 'h2', jvmStartUs: JVM_START + 60e6 });
    const gc = addSource('b/tm-1/gc.log', 'gc-log', {}, [unanchored(1000)]);
    attributeGcSources(db);
    expect(source(gc).tm_id).toBe('tm-1');
    expect(events(gc)[0]!.start_us).toBe(JVM_START + 1e6);

    reassignGcSource(db, gc, 'tm-2');
    attributeGcSources(db);
    expect(source(gc)).toMatchObject({ tm_id: 'tm-2' });
    expect(JSON.parse(source(gc).facts).tmAssignedBy).toBe('user');
    expect(events(gc)[0]!.start_us).toBe(JVM_START + 60e6 + 1e6);

    reassignGcSource(db, gc, null);
    expect(source(gc).tm_id).toBe('tm-1');
    expect(events(gc)[0]!.start_us).toBe(JVM_START + 1e6);
  });

  it('rejects reassigning a source that is not a GC log', () => {
    const flink = addSource('b/tm.log', 'flink-tm-log', { tmResourceId: 'tm-1' });
    expect(() => reassignGcSource(db, flink, 'tm-1')).toThrow(/not an ingested GC log/);
  });
});
