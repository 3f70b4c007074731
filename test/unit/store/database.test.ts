import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { IncidentFileError, openIncident } from '../../../src-main/core/store/database.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src-main/core/store/schema.js';

const work = mkdtempSync(join(tmpdir(), 'sluice-db-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('incident file versions', () => {
  it('creates the current schema, and upgrades an older file in place even when opened to read', () => {
    const path = join(work, 'old.sluice');
    const raw = new Database(path);
    raw.pragma(`application_id = ${0x534c4943}`);
    raw.exec(MIGRATIONS[0]!);
    raw.pragma('user_version = 1');
    raw.close();
    const db = openIncident(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
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
