import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { incidentContents } from '../../../src-main/core/store/queries/overview.js';
import { makeFixture, T0, type Fixture } from '../api/fixture.js';

describe('incidentContents', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await makeFixture();
  });
  afterEach(() => f.db.close());

  it('summarises jobs, versions, TaskManagers, span, sources and counts', () => {
    const o = incidentContents(f.db);
    expect(o.jobs.map((j) => [j.name, j.vertices.map((v) => v.name)])).toEqual([['orders', ['Source: Kafka', 'Map']]]);
    expect(o.flinkVersions).toEqual(['1.17.2']);
    expect(o.taskManagers).toEqual([{ id: 'tm-1', host: 'host-1', hasLog: true, hasGc: true }]);
    expect(o.timeSpan!.from).toBe(T0);
    expect(o.sourcesByKind.map((k) => k.kind).sort()).toEqual(['flink-jm-log', 'flink-tm-log', 'gc-log', 'rest-json']);
    expect(o.counts).toMatchObject({ checkpoints: 10, failedCheckpoints: 1, gcEvents: 301, findings: 1, annotations: 0 });
  });

  it('says which evidence is present and which is missing, and why it matters', () => {
    const byKey = new Map(incidentContents(f.db).evidence.map((e) => [e.key, e]));
    expect(byKey.get('gc-logs')!.present).toBe(true);
    expect(byKey.get('checkpoint-phases')!.present).toBe(true);
    expect(byKey.get('flame')!.present).toBe(false);
    expect(byKey.get('flame')!.detail).toMatch(/missing/);
    expect(byKey.get('metrics')!.present).toBe(false);
  });
});
