import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openIncident, type Db } from '../../../src-main/core/store/database.js';
import { createScratchTemplate, mergeScratch, openScratch } from '../../../src-main/core/store/merge.js';
import { IncidentWriter } from '../../../src-main/core/store/writer.js';

const work = mkdtempSync(join(tmpdir(), 'sluice-merge-'));
const template = join(work, 'template.sluice');
createScratchTemplate(template);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Commits one source with one warning row, as an ingest does. */
function addSource(db: Db, path: string, sha256: string, id?: number): void {
  const writer = new IncidentWriter(db);
  writer.beginSource({
    ...(id !== undefined && { id }), path, sha256, bytes: 3, tz: 'UTC', clockOffsetUs: 0,
    detection: { kind: 'flink-tm-log', format: 'log4j2', reason: 'test' },
  });
  writer.warning({ line: 1, message: `from ${path}` });
  writer.commitSource({ sha256, bytes: 3, lines: 1, events: 0, warnings: 1, timeFromUs: null, timeToUs: null });
}

function setUp(name: string): { db: Db; scratch: string } {
  const scratch = join(work, `${name}-scratch.sluice`);
  const scratchDb = openScratch(template, scratch);
  // A parse worker commits under a placeholder; the ingest thread hashed the file and passes the checksum.
  addSource(scratchDb, 'a.log', 'pending:a.log');
  scratchDb.prepare("INSERT INTO job (job_id, name) VALUES ('j1', 'from scratch')").run();
  scratchDb.close();
  const db = openIncident(join(work, `${name}.sluice`), { create: true });
  return { db, scratch };
}

const sources = (db: Db): unknown[] => db.prepare('SELECT id, path, sha256 FROM source ORDER BY id').all();

describe('merging a parse worker source', () => {
  it('gives the source its id and checksum, and moves its rows', () => {
    const { db, scratch } = setUp('plain');
    expect(mergeScratch(db, [scratch], { id: 4, sha256: 'aaa' })).toEqual({ outcome: 'merged' });
    expect(sources(db)).toEqual([{ id: 4, path: 'a.log', sha256: 'aaa' }]);
    expect(db.prepare('SELECT source_id, message FROM warning').all()).toEqual([{ source_id: 4, message: 'from a.log' }]);
    expect(db.prepare('SELECT job_id, name FROM job').all()).toEqual([{ job_id: 'j1', name: 'from scratch' }]);
    // The scratch file is detached again: the next merge attaches another under the same name.
    expect((db.prepare('PRAGMA database_list').all() as Array<{ name: string }>).map((d) => d.name)).toEqual(expect.not.arrayContaining(['scratch']));
    db.close();
  });

  it('keeps the job names already in the incident', () => {
    const { db, scratch } = setUp('shared');
    db.prepare("INSERT INTO job (job_id, name) VALUES ('j1', 'already here')").run();
    mergeScratch(db, [scratch], { id: 4, sha256: 'aaa' });
    expect(db.prepare('SELECT job_id, name FROM job').all()).toEqual([{ job_id: 'j1', name: 'already here' }]);
    db.close();
  });

  it('keeps, of two sources with one checksum, the first in walk order whichever is merged first', () => {
    const later = setUp('later');
    addSource(later.db, 'b.log', 'aaa', 7);
    expect(mergeScratch(later.db, [later.scratch], { id: 4, sha256: 'aaa' })).toEqual({ outcome: 'merged', replaced: 7 });
    expect(sources(later.db)).toEqual([{ id: 4, path: 'a.log', sha256: 'aaa' }]);
    expect(later.db.prepare('SELECT count(*) AS n FROM warning WHERE source_id = 7').get()).toEqual({ n: 0 });
    later.db.close();

    const earlier = setUp('earlier');
    addSource(earlier.db, 'b.log', 'aaa', 2);
    expect(mergeScratch(earlier.db, [earlier.scratch], { id: 4, sha256: 'aaa' })).toEqual({ outcome: 'duplicate' });
    expect(sources(earlier.db)).toEqual([{ id: 2, path: 'b.log', sha256: 'aaa' }]);
    earlier.db.close();
  });
});
