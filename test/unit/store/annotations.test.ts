import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as a from '../../../src-main/core/store/queries/annotations.js';
import { makeFixture, SECOND, T0, type Fixture } from '../api/fixture.js';

describe('annotations', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await makeFixture();
  });
  afterEach(() => f.db.close());

  it('creates, lists by range, updates and deletes', () => {
    const point = a.createAnnotation(f.db, { from: T0 + 5 * SECOND, type: 'detection', text: 'alert fired' });
    const range = a.createAnnotation(f.db, { from: T0 + 90 * SECOND, to: T0 + 60 * SECOND, type: 'key-moment', text: '**GC storm**', starred: true, evidence: [{ type: 'gc', id: 3 }] });
    expect(point).toMatchObject({ to: null, starred: false, evidence: [] });
    // ends picked right to left are stored in order
    expect([range.from, range.to]).toEqual([T0 + 60 * SECOND, T0 + 90 * SECOND]);
    expect(a.listAnnotations(f.db, { from: T0 + 70 * SECOND, to: T0 + 80 * SECOND }).map((x) => x.id)).toEqual([range.id]);

    const edited = a.updateAnnotation(f.db, point.id, { text: 'alert fired at 10:00', starred: true }, new Date('2030-01-01T00:00:00Z'))!;
    expect(edited).toMatchObject({ text: 'alert fired at 10:00', starred: true, type: 'detection', updatedAt: '2030-01-01T00:00:00.000Z' });
    expect(a.updateAnnotation(f.db, 999, { text: 'x' })).toBeUndefined();
    expect(a.deleteAnnotation(f.db, point.id)).toBe(true);
    expect(a.deleteAnnotation(f.db, point.id)).toBe(false);
    expect(a.listAnnotations(f.db).map((x) => x.id)).toEqual([range.id]);
  });

  it('reads unknown types and broken evidence JSON without failing', () => {
    f.db.prepare("INSERT INTO annotation (from_us, type, text, evidence, created_at, updated_at) VALUES (1, 'future-type', 't', 'not json', 'x', 'x')").run();
    expect(a.listAnnotations(f.db)[0]).toMatchObject({ type: 'note', evidence: [] });
  });
});
