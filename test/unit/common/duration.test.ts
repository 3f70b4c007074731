import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../../src-main/core/common/duration.js';

describe('parseDurationMs', () => {
  it('reads Flink duration settings in every spelling', () => {
    expect(parseDurationMs('600000')).toBe(600_000);
    expect(parseDurationMs('10 min')).toBe(600_000);
    expect(parseDurationMs('10min')).toBe(600_000);
    expect(parseDurationMs('30s')).toBe(30_000);
    expect(parseDurationMs('1 h')).toBe(3_600_000);
    expect(parseDurationMs('PT10M')).toBe(600_000);
    expect(parseDurationMs('500 ms')).toBe(500);
  });

  it('says so when it cannot read one', () => {
    expect(parseDurationMs('soon')).toBeUndefined();
    expect(parseDurationMs('10 fortnights')).toBeUndefined();
  });
});
