import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openIncident, type Db } from '../../../src-main/core/store/database.js';
import { IncidentWriter, type NewSource } from '../../../src-main/core/store/writer.js';

const work = mkdtempSync(join(tmpdir(), 'sluice-writer-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const source = (path: string, sha256: string): NewSource => ({
  path, sha256, bytes: 3, tz: 'UTC', clockOffsetUs: 0, detection: { kind: 'flink-tm-log', format: 'log4j2', reason: 'test' },
});
const rows = (db: Db): unknown[] => db.prepare('SELECT path, status FROM source ORDER BY id').all();

describe('re-importing a file', () => {
  it('skips a finished source with the same checksum and replaces a failed attempt', () => {
    const db = openIncident(join(work, 'reimport.sluice'), { create: true });
    const writer = new IncidentWriter(db);
    writer.beginSource(source('done.log', 'aaa'));
    writer.commitSource({ sha256: 'aaa', bytes: 3, lines: 1, events: 0, warnings: 0, timeFromUs: null, timeToUs: null });
    writer.recordFailure(source('failed.log', 'bbb'), [{ line: 2, message: 'bad line' }], 'ingest failed: disk');
    expect(rows(db)).toEqual([{ path: 'done.log', status: 'done' }, { path: 'failed.log', status: 'failed' }]);

    expect(writer.alreadyIngested('aaa')).toBe(true);
    expect(writer.alreadyIngested('bbb')).toBe(false);
    // The failed attempt goes with its warnings; the next ingest of those bytes takes its place.
    expect(rows(db)).toEqual([{ path: 'done.log', status: 'done' }]);
    expect(db.prepare('SELECT count(*) AS n FROM warning').get()).toEqual({ n: 0 });
    db.close();
  });

  it('finds a source hashed while read a duplicate of a finished source, not of a failed attempt (which it replaces)', () => {
    const db = openIncident(join(work, 'duplicate.sluice'), { create: true });
    const writer = new IncidentWriter(db);
    writer.recordFailure(source('first-try.log', 'ccc'), [], 'ingest failed: cancelled');
    // Hashed while read: the source is begun under a placeholder, its checksum known only at the end.
    writer.beginSource(source('second-try.log', 'pending-1'));
    expect(writer.isDuplicate('ccc')).toBe(false);
    writer.commitSource({ sha256: 'ccc', bytes: 3, lines: 1, events: 0, warnings: 0, timeFromUs: null, timeToUs: null });
    expect(rows(db)).toEqual([{ path: 'second-try.log', status: 'done' }]);
    writer.beginSource(source('copy.log', 'pending-2'));
    expect(writer.isDuplicate('ccc')).toBe(true);
    writer.rollbackSource();
    expect(rows(db)).toEqual([{ path: 'second-try.log', status: 'done' }]);
    db.close();
  });
});
