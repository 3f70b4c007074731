import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { IncidentFileError, openIncident } from '../../../src-main/core/store/database.js';
import { recordsAt } from '../../../src-main/core/store/queries/logs.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src-main/core/store/schema.js';

const work = mkdtempSync(join(tmpdir(), 'sluice-db-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('incident file versions', () => {
  it('creates the current schema, and upgrades an older file in place even when opened to read', () => {
    const path = join(work, 'old.sluice');
    const raw = new Database(path);
    raw.pragma(`application_id = ${0x534c4943}`);
    raw.exec(MIGRATIONS[0]!);
    // A log block as files before schema 3 hold it: raw deflate, no codec column.
    raw.prepare("INSERT INTO source (id, path, kind, format, reason, sha256, bytes, status, ingested_at) VALUES (1, 'jm.log', 'flink-jm-log', 'log4j2', 'test', 'sha', 10, 'done', '2024-01-01T00:00:00Z')").run();
    const index = Buffer.alloc(5);
    const insertBlock = raw.prepare(`INSERT INTO log_block (source_id, block_no, first_line, line_count, ts_min_us, ts_max_us, n_trace, n_debug, n_info, n_warn, n_error, line_index, text)
      VALUES (1, ?, ?, 1, 5000, 5000, 0, 0, 1, 0, 0, ?, ?)`);
    insertBlock.run(0, 1, deflateRawSync(index), deflateRawSync(Buffer.from('old line')));
    // More blocks, of incompressible text, so that rebuilding log_block would double the file if nothing gave the pages back.
    for (let block = 1; block <= 50; block++) insertBlock.run(block, block + 1, deflateRawSync(index), randomBytes(20_000));
    raw.pragma('user_version = 1');
    raw.close();
    const sizeBefore = statSync(path).size;
    const db = openIncident(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(recordsAt(db, [{ sourceId: 1, line: 1 }]).map((r) => r.text)).toEqual(['old line']);
    // Schema 4 rebuilt log_block as a rowid table (wr = WITHOUT ROWID) and kept the block.
    expect(db.prepare("SELECT wr FROM pragma_table_list WHERE name = 'log_block'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM log_block').pluck().get()).toBe(51);
    db.close();
    expect(statSync(path).size).toBeLessThan(sizeBefore * 1.25);
  });

  it('refuses files it does not understand with a clear error', () => {
    const missing = join(work, 'missing.sluice');
    expect(() => openIncident(missing, { readonly: true })).toThrow(IncidentFileError);
    const newer = join(work, 'newer.sluice');
    openIncident(newer, { create: true }).close();
    const raw = new Database(newer);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openIncident(newer)).toThrow(/made by a newer Sluice/);
  });
});
