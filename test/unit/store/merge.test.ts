import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openIncident, type Db } from '../../../src-main/core/store/database.js';
import { mergeSource, prepareScratch } from '../../../src-main/core/store/merge.js';
import { IncidentWriter } from '../../../src-main/core/store/writer.js';

const work = mkdtempSync(join(tmpdir(), 'sluice-merge-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Commits one source with one warning row, as an ingest does; returns its id. */
function addSource(db: Db, path: string, sha256: string, id?: number): number {
  const writer = new IncidentWriter(db);
  const sourceId = writer.beginSource({
    ...(id !== undefined && { id }), path, sha256, bytes: 3, tz: 'UTC', clockOffsetUs: 0,
    detection: { kind: 'flink-tm-log', format: 'log4j2', reason: 'test' },
  });
  writer.warning({ line: 1, message: `from ${path}` });
  writer.commitSource({ sha256, bytes: 3, lines: 1, events: 0, warnings: 1, timeFromUs: null, timeToUs: null });
  return sourceId;
}

function setUp(name: string): { db: Db; scratchSource: number } {
  const scratch = openIncident(join(work, `${name}-scratch.sluice`), { create: true });
  prepareScratch(scratch);
  // A parse worker commits under a placeholder; the ingest thread hashed the file and passes the checksum.
  const scratchSource = addSource(scratch, 'a.log', 'pending:a.log');
  scratch.close();
  const db = openIncident(join(work, `${name}.sluice`), { create: true });
  db.exec(`ATTACH DATABASE '${join(work, `${name}-scratch.sluice`)}' AS w0`);
  return { db, scratchSource };
}

const sources = (db: Db): unknown[] => db.prepare('SELECT id, path, sha256 FROM source ORDER BY id').all();

describe('merging a parse worker source', () => {
  it('gives the source its id and checksum, and moves its rows', () => {
    const { db, scratchSource } = setUp('plain');
    expect(mergeSource(db, 'w0', scratchSource, { id: 4, sha256: 'aaa' })).toEqual({ outcome: 'merged' });
    expect(sources(db)).toEqual([{ id: 4, path: 'a.log', sha256: 'aaa' }]);
    expect(db.prepare('SELECT source_id, message FROM warning').all()).toEqual([{ source_id: 4, message: 'from a.log' }]);
    db.close();
  });

  it('keeps, of two sources with one checksum, the first in walk order whichever is merged first', () => {
    const later = setUp('later');
    addSource(later.db, 'b.log', 'aaa', 7);
    expect(mergeSource(later.db, 'w0', later.scratchSource, { id: 4, sha256: 'aaa' })).toEqual({ outcome: 'merged', replaced: 7 });
    expect(sources(later.db)).toEqual([{ id: 4, path: 'a.log', sha256: 'aaa' }]);
    expect(later.db.prepare('SELECT count(*) AS n FROM warning WHERE source_id = 7').get()).toEqual({ n: 0 });
    later.db.close();

    const earlier = setUp('earlier');
    addSource(earlier.db, 'b.log', 'aaa', 2);
    expect(mergeSource(earlier.db, 'w0', earlier.scratchSource, { id: 4, sha256: 'aaa' })).toEqual({ outcome: 'duplicate' });
    expect(sources(earlier.db)).toEqual([{ id: 2, path: 'b.log', sha256: 'aaa' }]);
    earlier.db.close();
  });
});
