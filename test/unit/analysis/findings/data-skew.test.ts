import { afterEach, describe, expect, it } from 'vitest';
import { dataSkew } from '../../../../src-main/core/analysis/findings/rules/data-skew.js';
import { byRule, healthyJob, IncidentBuilder, VERTICES } from './builder.js';

let b: IncidentBuilder;
afterEach(() => b.close());

const WINDOW = VERTICES[2];

function recordsIn(builder: IncidentBuilder, rates: number[]): void {
  for (let sec = 0; sec <= 600; sec += 60) rates.forEach((rate, s) => builder.metric(sec, 'numRecordsInPerSecond', rate + (sec % 120 === 0 ? 2 : -2), WINDOW, s));
}

describe('data skew', () => {
  it('flags one subtask receiving far more records than the vertex median, with the thresholds', () => {
    b = new IncidentBuilder();
    healthyJob(b, 5);
    recordsIn(b, [100, 110, 105, 900]);
    const [f] = byRule(b.finish().findings([dataSkew]), 'skew.records');
    expect(f).toBeDefined();
    expect(f!.title).toMatch(/^Window\(.*\) \(4\/4\) has 8\.\d× the median records in of its vertex \(900 records\/s vs 10\d records\/s\)$/);
    expect(f!.explanation).toContain('exceeds 2× the median and the median by at least 100 records/s');
    expect(f!.evidence[0]).toMatchObject({ type: 'metric' });
  });

  it('is quiet on mild skew below the threshold', () => {
    b = new IncidentBuilder();
    healthyJob(b, 5);
    recordsIn(b, [100, 110, 105, 160]);
    expect(b.finish().findings([dataSkew])).toEqual([]);
  });

  it('is quiet when the absolute difference is below the floor', () => {
    b = new IncidentBuilder();
    healthyJob(b, 5);
    recordsIn(b, [10, 11, 12, 60]);
    expect(b.finish().findings([dataSkew])).toEqual([]);
  });

  it('flags state skew from REST subtask statistics', () => {
    b = new IncidentBuilder();
    healthyJob(b, 5);
    const vertexId = 'c0'.padEnd(32, '0');
    b.vertex(vertexId, WINDOW, 4);
    for (let id = 1; id <= 5; id++) {
      [40, 42, 41, 400].forEach((mib, s) => b.restSubtask(id, vertexId, s, { stateSize: mib * 1024 * 1024, endToEndMs: 1500, ackSec: 60 * id + 1.5 }));
    }
    const [f] = byRule(b.finish().findings([dataSkew]), 'skew.state');
    expect(f!.title).toMatch(/^Window\(.*\) \(4\/4\) has 9\.\d× the median state size of its vertex \(400\.0 MiB vs 41\.\d MiB\)$/);
    expect(f!.evidence[0]).toMatchObject({ type: 'subtask', key: expect.stringContaining(`/${vertexId}/3`) });
    expect(byRule(b.findings([dataSkew]), 'skew.ack')).toEqual([]);
  });
});
