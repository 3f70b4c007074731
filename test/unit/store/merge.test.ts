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
  it('gives the source its id and checksum, and moves its rows', async () => {
    const { db, scratch } = setUp('plain');
    expect(await mergeScratch(db, [scratch], { id: 4, sha256: 'aaa' })).toEqual({ outcome: 'merged' });
    expect(sources(db)).toEqual([{ id: 4, path: 'a.log', sha256: 'aaa' }]);
    expect(db.prepare('SELECT source_id, message FROM warning').all()).toEqual([{ source_id: 4, message: 'from a.log' }]);
    expect(db.prepare('SELECT job_id, name FROM job').all()).toEqual([{ job_id: 'j1', name: 'from scratch' }]);
    // The scratch file is detached again: the next merge attaches another under the same name.
    expect((db.prepare('PRAGMA database_list').all() as Array<{ name: string }>).map((d) => d.name).filter((name) => name.startsWith('scratch'))).toEqual([]);
    db.close();
  });

  it('keeps the job names already in the incident', async () => {
    const { db, scratch } = setUp('shared');
    db.prepare("INSERT INTO job (job_id, name) VALUES ('j1', 'already here')").run();
    await mergeScratch(db, [scratch], { id: 4, sha256: 'aaa' });
    expect(db.prepare('SELECT job_id, name FROM job').all()).toEqual([{ job_id: 'j1', name: 'already here' }]);
    db.close();
  });

  it('keeps, of two sources with one checksum, the first in walk order whichever is merged first', async () => {
    const later = setUp('later');
    addSource(later.db, 'b.log', 'aaa', 7);
    expect(await mergeScratch(later.db, [later.scratch], { id: 4, sha256: 'aaa' })).toEqual({ outcome: 'merged', replaced: 7 });
    expect(sources(later.db)).toEqual([{ id: 4, path: 'a.log', sha256: 'aaa' }]);
    expect(later.db.prepare('SELECT count(*) AS n FROM warning WHERE source_id = 7').get()).toEqual({ n: 0 });
    later.db.close();

    const earlier = setUp('earlier');
    addSource(earlier.db, 'b.log', 'aaa', 2);
    expect(await mergeScratch(earlier.db, [earlier.scratch], { id: 4, sha256: 'aaa' })).toEqual({ outcome: 'duplicate' });
    expect(sources(earlier.db)).toEqual([{ id: 2, path: 'b.log', sha256: 'aaa' }]);
    earlier.db.close();
  });
  it('copies a large table a slice at a time, pausing between slices, into the rows of one copy', async () => {
    const scratch = join(work, 'sliced-scratch.sluice');
    const scratchDb = openScratch(template, scratch);
    const writer = new IncidentWriter(scratchDb);
    writer.beginSource({ path: 'big.log', sha256: 'pending:big.log', bytes: 3, tz: 'UTC', clockOffsetUs: 0, detection: { kind: 'flink-tm-log', format: 'log4j2', reason: 'test' } });
    for (let line = 1; line <= 10_000; line++) writer.warning({ line, message: `line ${line}: odd` });
    writer.commitSource({ sha256: 'pending:big.log', bytes: 3, lines: 10_000, events: 0, warnings: 10_000, timeFromUs: null, timeToUs: null });
    scratchDb.close();
    const db = openIncident(join(work, 'sliced.sluice'), { create: true });
    let pauses = 0;
    let rowsSeenInPause = 0;
    await mergeScratch(db, [scratch], { id: 1, sha256: 'bbb' }, async () => {
      pauses++;
      // The merge's transaction stays open across a pause; the connection reads what it has copied so far.
      expect(db.inTransaction).toBe(true);
      rowsSeenInPause = (db.prepare('SELECT count(*) AS n FROM warning').get() as { n: number }).n;
      await new Promise((resolve) => setImmediate(resolve));
    });
    expect(pauses).toBeGreaterThanOrEqual(3);
    expect(rowsSeenInPause).toBe(10_000);
    const lines = (db.prepare('SELECT line FROM warning WHERE source_id = 1 ORDER BY id').all() as Array<{ line: number }>).map((r) => r.line);
    expect(lines).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
    expect(db.inTransaction).toBe(false);
    db.close();
  });

  it('rolls the whole source back when a merge fails between two slices, and detaches its files', async () => {
    const { db, scratch } = setUp('failing');
    await expect(mergeScratch(db, [scratch], { id: 4, sha256: 'aaa' }, () => Promise.reject(new Error('disk gone')))).rejects.toThrow('disk gone');
    expect(db.inTransaction).toBe(false);
    expect(sources(db)).toEqual([]);
    expect(db.prepare('SELECT count(*) AS n FROM warning').get()).toEqual({ n: 0 });
    expect((db.prepare('PRAGMA database_list').all() as Array<{ name: string }>).map((d) => d.name).filter((name) => name.startsWith('scratch'))).toEqual([]);
    db.close();
  });
});
