import { describe, expect, it } from 'vitest';
import { isWireError, validateArgs, MAX_TITLE_LENGTH, RPC_METHODS } from '../../../src-main/core/api/contract.js';

describe('contract validation', () => {
  it('accepts well-formed payloads and drops nothing', () => {
    expect(validateArgs('timeline', [{ from: 1, to: 2, widthPx: 800, lanes: ['gc', 'events'] }])).toEqual([{ from: 1, to: 2, widthPx: 800, lanes: ['gc', 'events'] }]);
    expect(validateArgs('logLines', [{ limit: 100, around: { sourceId: 1, line: 20 }, levels: ['WARN'] }])).toEqual([
      { limit: 100, around: { sourceId: 1, line: 20 }, levels: ['WARN'] },
    ]);
    expect(validateArgs('updateAnnotation', [3, { to: null, starred: true }])).toEqual([3, { to: null, starred: true }]);
    expect(validateArgs('currentIncident', [])).toEqual([]);
  });

  it('rejects wrong types, unknown fields, extra arguments and out-of-range values, naming the path', () => {
    expect(() => validateArgs('timeline', [{ from: 1, to: 2, widthPx: 0 }])).toThrow(/timeline\[0\]\.widthPx/);
    expect(() => validateArgs('timeline', [{ from: 1, to: 2, widthPx: 10, lanes: ['bogus'] }])).toThrow(/lanes\[0\]: expected one of/);
    expect(() => validateArgs('logLines', [{ limit: 10, sql: 'DROP TABLE source' }])).toThrow(/sql: unknown field/);
    expect(() => validateArgs('logLines', [{ limit: 10, from: Number.NaN }])).toThrow(/finite number/);
    expect(() => validateArgs('createAnnotation', [{ from: 1, type: 'rant', text: 'x' }])).toThrow(/type/);
    expect(() => validateArgs('deleteAnnotation', [1, 2])).toThrow(/argument list/);
    expect(() => validateArgs('openIncident', [42])).toThrow(/expected a string/);
    expect(() => validateArgs('overview', 'x')).toThrow(/argument list/);
  });

  it('checks report options: sections by name, a bounded title', () => {
    const options = { from: 1, to: 2, title: 'Outage', omit: ['gc', 'flame'], anonymize: true, onlyStarred: false };
    expect(validateArgs('exportReport', [options])).toEqual([options]);
    expect(() => validateArgs('exportReport', [{ omit: ['everything'] }])).toThrow(/exportReport\[0\]\.omit\[0\]: expected one of summary, timeline/);
    expect(() => validateArgs('exportReport', [{ title: 'x'.repeat(MAX_TITLE_LENGTH + 1) }])).toThrow(/title: expected a string of at most/);
    expect(() => validateArgs('exportReport', [{ sections: ['gc'] }])).toThrow(/sections: unknown field/);
  });

  it('covers every request/response method and recognises wire errors', () => {
    expect(RPC_METHODS).toContain('exportReport');
    expect(RPC_METHODS).not.toContain('onProgress');
    expect(isWireError({ error: { code: 'internal', message: 'x' } })).toBe(true);
    expect(isWireError({ result: 1 })).toBe(false);
  });
});
