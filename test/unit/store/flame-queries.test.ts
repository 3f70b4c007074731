import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FlameProfileRecord } from '../../../src-main/core/model/records.js';
import { openIncident, type Db } from '../../../src-main/core/store/database.js';
import { collapsed, diffTree, listProfiles, mergedTree } from '../../../src-main/core/store/queries/flame.js';
import { IncidentWriter } from '../../../src-main/core/store/writer.js';
import { runFlame } from '../parsers/flame/sink.js';

const T0 = Date.UTC(2024, 2, 1, 10, 0, 0) * 1000;
const S = 1_000_000;
let dir: string;
let db: Db;
let writer: IncidentWriter;
let sha = 0;

function flameFile(path: string, profiles: FlameProfileRecord[]): void {
  const hash = `sha-${++sha}`;
  writer.beginSource({ path, detection: { kind: 'flame', format: 'test', reason: 'test' }, sha256: hash, bytes: 1, tz: 'UTC', clockOffsetUs: 0 });
  for (const profile of profiles) writer.flame(profile);
  writer.commitSource({ sha256: hash, bytes: 1, lines: 0, events: profiles.length, warnings: 0, timeFromUs: null, timeToUs: null });
}

const f = (name: string, type?: string) => (type === undefined ? { name } : { name, type });

/** tm-1: JFR-like, three timestamped samples at +1 s, +2 s, +3 s. */
const jfrLike: FlameProfileRecord = {
  format: 'jfr',
  mode: 'cpu',
  startTs: T0,
  endTs: T0 + 5 * S,
  timeExact: true,
  tm: 'tm-1',
  stacks: [
    { frames: [f('Thread.run', 'jit'), f('Task.doRun', 'jit'), f('RocksDB.get', 'native')], weight: 2, thread: 'Window (1/2)' },
    { frames: [f('Thread.run', 'jit'), f('Task.doRun', 'inlined')], weight: 1 },
  ],
  samples: [
    { ts: T0 + 1 * S, stack: 0, weight: 1 },
    { ts: T0 + 2 * S, stack: 1, weight: 1 },
    { ts: T0 + 3 * S, stack: 0, weight: 1 },
  ],
};

/** tm-2: collapsed, known only by its capture point at +10 s. */
const collapsedLike: FlameProfileRecord = {
  format: 'collapsed',
  mode: 'cpu',
  startTs: T0 + 10 * S,
  endTs: T0 + 10 * S,
  timeExact: false,
  tm: 'tm-2',
  stacks: [
    { frames: [f('Thread.run'), f('Task.doRun'), f('HashMap.get')], weight: 6 },
    { frames: [f('Thread.run'), f('Task.doRun')], weight: 2 },
  ],
};

/** No time at all. */
const untimed: FlameProfileRecord = {
  format: 'd3-hierarchy',
  mode: 'unknown',
  timeExact: false,
  stacks: [{ frames: [f('main')], weight: 5 }],
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-flame-q-'));
  db = openIncident(join(dir, 'i.sluice'), { create: true });
  writer = new IncidentWriter(db);
  flameFile('tm-1/cpu.jfr', [jfrLike]);
  flameFile('tm-2/profile.collapsed', [collapsedLike]);
  flameFile('misc/stacks.json', [untimed]);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function child<T extends { name: string; children: T[] }>(node: T, ...path: string[]): T {
  let current = node;
  for (const name of path) {
    const next = current.children.find((c) => c.name === name);
    if (next === undefined) throw new Error(`no child ${name} under ${current.name}`);
    current = next;
  }
  return current;
}

describe('listProfiles', () => {
  it('lists all profiles with their source path, weight and whether samples are timestamped', () => {
    const rows = listProfiles(db);
    expect(rows.map((r) => [r.path, r.format, r.samples, r.timestamped, r.tm])).toEqual([
      ['tm-1/cpu.jfr', 'jfr', 3, true, 'tm-1'],
      ['tm-2/profile.collapsed', 'collapsed', 8, false, 'tm-2'],
      ['misc/stacks.json', 'd3-hierarchy', 5, false, null],
    ]);
  });

  it('filters by TaskManager, mode and time overlap (untimed profiles drop out of a range)', () => {
    expect(listProfiles(db, { tm: 'tm-2' }).map((r) => r.format)).toEqual(['collapsed']);
    expect(listProfiles(db, { mode: 'unknown' }).map((r) => r.format)).toEqual(['d3-hierarchy']);
    expect(listProfiles(db, { from: T0 + 6 * S }).map((r) => r.format)).toEqual(['collapsed']);
    expect(listProfiles(db, { from: T0 + 4 * S, to: T0 + 9 * S }).map((r) => r.format)).toEqual(['jfr']);
  });
});

describe('mergedTree', () => {
  it('merges all profiles by frame name, with totals, self and the dominant type', () => {
    const tree = mergedTree(db);
    expect(tree.exact).toBe(true);
    expect(tree.totalWeight).toBe(3 + 8 + 5);
    expect(tree.root.total).toBe(16);
    expect(tree.root.children.map((c) => [c.name, c.total])).toEqual([
      ['Thread.run', 11],
      ['main', 5],
    ]);
    const doRun = child(tree.root, 'Thread.run', 'Task.doRun');
    // jit (2 samples) and inlined (1) and untyped (8): untyped collapsed frames carry most weight
    expect([doRun.total, doRun.self, doRun.type]).toEqual([11, 3, '']);
    expect(child(doRun, 'HashMap.get').total).toBe(6);
    expect(child(doRun, 'RocksDB.get')).toMatchObject({ total: 2, self: 2, type: 'native' });
    expect(tree.profiles.every((p) => p.basis === 'whole')).toBe(true);
  });

  it('cuts timestamped profiles exactly by sample time', () => {
    const tree = mergedTree(db, { from: T0 + 1.5 * S, to: T0 + 2.5 * S });
    expect(tree.exact).toBe(true);
    expect(tree.totalWeight).toBe(1);
    expect(tree.profiles).toEqual([{ id: 1, basis: 'samples' }]);
    expect(child(tree.root, 'Thread.run', 'Task.doRun')).toMatchObject({ total: 1, self: 1, type: 'inlined', children: [] });
  });

  it('takes untimestamped profiles whole when their span overlaps, and says the result is not exact', () => {
    const tree = mergedTree(db, { from: T0, to: T0 + 20 * S });
    expect(tree.exact).toBe(false);
    expect(tree.profiles).toEqual([
      { id: 1, basis: 'samples' },
      { id: 2, basis: 'overlap' },
    ]);
    expect(tree.totalWeight).toBe(3 + 8);
  });

  it('selects by TaskManager and by profile id', () => {
    expect(mergedTree(db, { tm: 'tm-2' }).totalWeight).toBe(8);
    expect(mergedTree(db, { profileIds: [1, 3] }).totalWeight).toBe(8);
    expect(mergedTree(db, { profileIds: [] }).totalWeight).toBe(0);
  });
});

describe('diffTree', () => {
  it('normalises each side by its own total and reports the delta per node', () => {
    const diff = diffTree(db, { tm: 'tm-1' }, { tm: 'tm-2' });
    expect([diff.totalA, diff.totalB, diff.exactA, diff.exactB]).toEqual([3, 8, true, true]);
    const doRun = child(diff.root, 'Thread.run', 'Task.doRun');
    expect(doRun.shareA).toBe(1);
    expect(doRun.shareB).toBe(1);
    expect(doRun.selfShareA).toBeCloseTo(1 / 3);
    expect(doRun.selfShareB).toBeCloseTo(2 / 8);
    const rocks = doRun.children.find((c) => c.name === 'RocksDB.get')!;
    expect([rocks.shareA, rocks.shareB, rocks.delta]).toEqual([2 / 3, 0, -2 / 3]);
    const hashMap = doRun.children.find((c) => c.name === 'HashMap.get')!;
    expect(hashMap.delta).toBeCloseTo(6 / 8);
  });
});

describe('collapsed', () => {
  it('writes frame;frame weight lines with annotation suffixes for typed frames', () => {
    expect(collapsed(db, { tm: 'tm-1' })).toEqual(['Thread.run_[j];Task.doRun_[i] 1', 'Thread.run_[j];Task.doRun_[j];RocksDB.get 2']);
  });

  it('round-trips an annotated async-profiler collapsed file through parser, writer and query', () => {
    const file = '/work/shared/corpus/flame/09-async-profiler-annotated-sample1.collapsed';
    const run = runFlame(readFileSync(file), 'sample1.collapsed');
    flameFile('sample1.collapsed', run.profiles);
    const id = listProfiles(db).find((p) => p.path === 'sample1.collapsed')!.id;
    const original = readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0).sort();
    expect(collapsed(db, { profileIds: [id] })).toEqual(original);
  });
});
