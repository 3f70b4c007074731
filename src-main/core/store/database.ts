import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export type Db = Database.Database;

/** Errors the shells turn into one clear line (no stack trace). */
export class IncidentFileError extends Error {
  constructor(
    message: string,
    readonly code: 'missing' | 'not-incident' | 'newer-schema' | 'read-only' | 'disk-full' | 'io',
  ) {
    super(message);
    this.name = 'IncidentFileError';
  }
}

const APPLICATION_ID = 0x534c4943; // 'SLIC': marks a SQLite file as a Sluice incident

export interface OpenOptions {
  readonly?: boolean;
  /** Create the file when missing (write mode only). */
  create?: boolean;
  /**
   * A parse worker's temporary file (see merge.ts), written by one connection and thrown away after the merge:
   * its rollback journal is kept in memory and nothing is synced. No WAL, so closing it checkpoints nothing.
   */
  scratch?: boolean;
}

export function openIncident(path: string, options: OpenOptions = {}): Db {
  const readonly = options.readonly ?? false;
  if (!existsSync(path) && (readonly || !options.create)) {
    throw new IncidentFileError(`${path}: no such incident file`, 'missing');
  }
  let db: Db;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly || !options.create, nativeBinding: electronBinding() });
  } catch (error) {
    throw translateSqliteError(error, path);
  }
  try {
    const appId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    const isEmpty = (db.prepare("SELECT count(*) AS n FROM sqlite_master").get() as { n: number }).n === 0;
    if (!isEmpty && appId !== APPLICATION_ID) {
      throw new IncidentFileError(`${path}: not a Sluice incident file`, 'not-incident');
    }
    if (version > SCHEMA_VERSION) {
      throw new IncidentFileError(
        `${path}: made by a newer Sluice (schema ${version}, this build reads up to ${SCHEMA_VERSION}); upgrade Sluice`,
        'newer-schema',
      );
    }
    const scratch = options.scratch === true;
    if (!readonly) {
      db.pragma(scratch ? 'journal_mode = MEMORY' : 'journal_mode = WAL');
      db.pragma(scratch ? 'synchronous = OFF' : 'synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db, version);
    } else if (version < SCHEMA_VERSION) {
      // Migrations keep every row: upgrade in place, then read as asked.
      db.close();
      try {
        openIncident(path).close();
      } catch (error) {
        throw new IncidentFileError(`${path}: older schema ${version} and it cannot be upgraded here (${error instanceof Error ? error.message : String(error)})`, 'read-only');
      }
      return openIncident(path, options);
    }
    // A scratch file's rows are only appended, so a small cache does: each parse worker's counts against the
    // ingest's memory budget.
    db.pragma(scratch ? 'cache_size = -2000' : 'cache_size = -32000');
    return db;
  } catch (error) {
    db.close();
    throw error instanceof IncidentFileError ? error : translateSqliteError(error, path);
  }
}

/**
 * better-sqlite3 has one native build per ABI: plain Node (tests, CLI, browser mode) uses the default build,
 * the Electron engine host gets the Electron-ABI build staged by `npm start` and named in this variable.
 */
function electronBinding(): string | undefined {
  const binding = process.env.SLUICE_SQLITE_BINDING;
  return binding !== undefined && binding !== '' && process.versions.electron !== undefined ? binding : undefined;
}

function migrate(db: Db, from: number): void {
  if (from === MIGRATIONS.length) return;
  if (from === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
  for (let version = from; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  // A migration that rebuilds a table (4: log_block) leaves the old copy's pages free: give them back rather than
  // leave an upgraded incident file twice its size.
  const freePages = db.pragma('freelist_count', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  if (from > 0 && freePages > pages / 4) db.exec('VACUUM');
}

export function translateSqliteError(error: unknown, path: string): Error {
  if (error instanceof IncidentFileError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_FULL') return new IncidentFileError(`${path}: disk full while writing the incident file`, 'disk-full');
  if (code === 'SQLITE_NOTADB') return new IncidentFileError(`${path}: not a Sluice incident file`, 'not-incident');
  if (code === 'SQLITE_READONLY') return new IncidentFileError(`${path}: read-only`, 'read-only');
  if (code.startsWith('SQLITE_')) return new IncidentFileError(`${path}: ${message}`, 'io');
  return error instanceof Error ? error : new Error(message);
}
