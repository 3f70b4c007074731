import { afterEach, describe, expect, it } from 'vitest';
import { configSmells } from '../../../../src-main/core/analysis/findings/rules/config-smells.js';
import { byRule, IncidentBuilder, TMS, VERTICES } from './builder.js';

let b: IncidentBuilder;
afterEach(() => b.close());

const GIB = 1024 ** 3;

function bigStateJob(builder: IncidentBuilder): void {
  builder.deployJob(VERTICES, 4, TMS);
  for (let i = 0; i < 10; i++) builder.completed(i + 1, 60 + i * 60, 20_000, 2 * GIB);
}

describe('configuration smells', () => {
  it('flags RocksDB with large state and incremental checkpoints off', () => {
    b = new IncidentBuilder();
    b.config('state.backend', 'rocksdb');
    b.config('state.backend.incremental', 'false');
    bigStateJob(b);
    const [f] = byRule(b.finish().findings([configSmells]), 'config.incremental-off');
    expect(f!.title).toBe('RocksDB with 2.0 GiB of state but incremental checkpoints off: every checkpoint uploads the full state');
    expect(f!.evidence).toContainEqual(expect.objectContaining({ type: 'line', key: 'state.backend' }));
  });

  it('is quiet with incremental checkpoints on', () => {
    b = new IncidentBuilder();
    b.config('state.backend', 'rocksdb');
    b.config('state.backend.incremental', 'true');
    bigStateJob(b);
    expect(b.finish().findings([configSmells])).toEqual([]);
  });

  it('notes a tight timeout and back-to-back checkpoints, and concurrent checkpoints without pause', () => {
    b = new IncidentBuilder();
    b.config('execution.checkpointing.timeout', '30 s');
    b.config('execution.checkpointing.interval', '25 s');
    b.config('execution.checkpointing.max-concurrent-checkpoints', '2');
    b.deployJob(VERTICES, 4, TMS);
    for (let i = 0; i < 10; i++) b.completed(i + 1, 60 + i * 25, 21_000 + i * 100);
    const found = b.finish().findings([configSmells]);
    expect(byRule(found, 'config.timeout-tight')[0]!.title).toBe('The checkpoint timeout (30.0 s) is less than 3× the p95 checkpoint duration (21.9 s)');
    expect(byRule(found, 'config.interval-vs-duration')[0]!.severity).toBe('warning');
    expect(byRule(found, 'config.concurrent-without-pause')[0]!.explanation).toContain("execution.checkpointing.min-pause = 0 ms (Flink's default; not in the bundle)");
  });
});
