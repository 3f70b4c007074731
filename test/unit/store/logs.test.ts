import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareCursor, logLines } from '../../../src-main/core/store/queries/logs.js';
import { JM_LINES, makeFixture, SECOND, T0, type Fixture } from '../api/fixture.js';

describe('logLines', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await makeFixture();
  });
  afterEach(() => f.db.close());

  it('merges sources in time order and pages forward without gaps or repeats', () => {
    const seen: string[] = [];
    let cursor;
    for (let pages = 0; pages < 100; pages++) {
      const page = logLines(f.db, { limit: 700, cursor });
      for (let i = 1; i < page.records.length; i++) {
        const a = page.records[i - 1]!;
        const b = page.records[i]!;
        expect(compareCursor({ ts: a.ts, sourceId: a.sourceId, line: a.line }, { ts: b.ts, sourceId: b.sourceId, line: b.line })).toBeLessThan(0);
      }
      seen.push(...page.records.map((r) => `${r.sourceId}:${r.line}`));
      if (page.after === null) break;
      cursor = page.after;
    }
    expect(seen).toHaveLength(JM_LINES + 100);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('folds stack traces under their record', () => {
    const page = logLines(f.db, { limit: 10, levels: ['ERROR'] });
    expect(page.records).toHaveLength(6);
    expect(page.records[0]!.more).toEqual(['java.io.IOException: boom', '\tat org.apache.flink.Foo.bar(Foo.java:42)']);
    expect(page.records.every((r) => r.level === 'ERROR')).toBe(true);
  });

  it('filters by text, source and TaskManager server-side', () => {
    expect(logLines(f.db, { limit: 50, text: 'NEEDLE' }).records.map((r) => r.text)).toEqual(['tm line 42 needle']);
    expect(logLines(f.db, { limit: 50, text: 'Foo.java:42' }).records).toHaveLength(6);
    const tmOnly = logLines(f.db, { limit: 500, tms: ['tm-1'] });
    expect(tmOnly.records).toHaveLength(100);
    expect(tmOnly.sources).toEqual([{ id: f.tmSource, path: 'bundle/taskmanager-1.log', tm: 'tm-1' }]);
    expect(logLines(f.db, { limit: 500, sourceIds: [f.jmSource], tms: ['tm-1'] }).records).toEqual([]);
  });

  it('pages backward from the end and centres on a moment or a line', () => {
    const last = logLines(f.db, { limit: 5, direction: 'backward' });
    expect(last.records.map((r) => [r.sourceId, r.line])).toEqual([3008, 3009, 3010, 3011, 3012].map((line) => [f.jmSource, line]));
    expect(last.before).not.toBeNull();

    const around = logLines(f.db, { limit: 20, around: { ts: T0 + 100 * SECOND } });
    expect(around.anchorIndex).toBe(10);
    expect(around.records[10]!.ts).toBeGreaterThanOrEqual(T0 + 100 * SECOND);
    expect(around.records[9]!.ts).toBeLessThan(T0 + 100 * SECOND);

    // line 253 is the second line of the stack trace of the record starting at 251
    const atLine = logLines(f.db, { limit: 20, around: { sourceId: f.jmSource, line: 253 } });
    expect(atLine.records[atLine.anchorIndex!]!.line).toBe(251);
  });

  it('respects a time range', () => {
    const page = logLines(f.db, { limit: 1000, from: T0 + 10 * SECOND, to: T0 + 20 * SECOND, sourceIds: [f.jmSource] });
    expect(page.records).toHaveLength(101);
    expect(page.after).toBeNull();
  });
});

describe('logLines event marks', () => {
  it('marks records that matched a catalogue template', async () => {
    const f = await makeFixture();
    const page = logLines(f.db, { limit: 3, around: { sourceId: f.jmSource, line: 603 } });
    expect(page.records.find((r) => r.line === 603)?.event).toBe('restart.region');
    expect(page.records.filter((r) => r.event !== undefined)).toHaveLength(1);
    f.db.close();
  });
});
