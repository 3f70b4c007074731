import { afterEach, describe, expect, it } from 'vitest';
import { coverage } from '../../../../src-main/core/analysis/findings/rules/coverage.js';
import { healthyJob, IncidentBuilder } from './builder.js';

let b: IncidentBuilder;
afterEach(() => b.close());

describe('coverage', () => {
  it('says what a JobManager-log-only bundle lacks and how to capture it', () => {
    b = new IncidentBuilder();
    healthyJob(b, 10);
    b.expired(11, 700);
    b.late(11, 'Map -> Filter', 1, 1310, 'tm-2');
    const found = b.finish().findings([coverage]);
    const rules = found.map((f) => f.rule).sort();
    expect(rules).toEqual(['coverage.no-gc-log', 'coverage.no-metrics', 'coverage.no-phase-split', 'coverage.no-rest', 'coverage.no-tm-log']);
    expect(found.every((f) => f.severity === 'info')).toBe(true);
    const text = (rule: string): string => {
      const f = found.find((x) => x.rule === rule)!;
      return `${f.explanation} ${f.actions.join(' ')}`;
    };
    expect(text('coverage.no-phase-split')).toContain('failed checkpoint 11');
    expect(text('coverage.no-phase-split')).toContain('logger.cptasks.level = DEBUG');
    expect(text('coverage.no-gc-log')).toContain('-Xlog:gc*:file=');
    expect(text('coverage.no-gc-log')).toContain('-XX:+PrintGCDetails');
    expect(text('coverage.no-rest')).toContain('/jobs/3f9a1c07b2d54e6f8a0b1c2d3e4f5a6b/checkpoints');
    expect(text('coverage.no-metrics')).toContain('metrics.reporter.prom.factory.class');
  });

  it('names the straggler TaskManager without a GC log when others have one, and is quiet about what is present', () => {
    b = new IncidentBuilder();
    healthyJob(b, 10);
    b.expired(11, 700);
    b.late(11, 'Map -> Filter', 1, 1310, 'tm-2');
    b.gcPause('tm-1', 100, 20);
    b.tmDebug('tm-1', 'subtask.sync-done', 11, 'Source: orders', 0, 700.2, { alignmentMs: 0, syncMs: 2 });
    b.tmLog('tm-2');
    b.metric(100, 'numRecordsInPerSecond', 10, 'Map -> Filter', 0);
    const found = b.finish().findings([coverage]);
    expect(found.map((f) => f.rule).sort()).toEqual(['coverage.no-gc-log-for-straggler', 'coverage.no-rest']);
    expect(found.find((f) => f.rule === 'coverage.no-gc-log-for-straggler')!.title).toBe('No GC log for tm-2, where stragglers of failed checkpoints ran');
  });
});
