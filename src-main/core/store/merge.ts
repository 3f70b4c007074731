import { copyFileSync } from 'node:fs';
import { openIncident, type Db } from './database.js';
import { isFinished } from './writer.js';

/**
 * Parse workers write each source into a scratch incident of its own, which the ingest thread merges into the
 * real incident and then deletes. One file per source: nothing reads a file while it is written (so it needs no
 * WAL, and closing it checkpoints nothing), and a merge reads each of its tables whole, so they need no index on
 * the source. Columns are read from the schema, so a new column needs no change here.
 */

/** Rows that hang off a source. */
const CHILD_TABLES = ['warning', 'log_block', 'event', 'gc_event', 'bp_sample', 'metric_sample', 'config', 'rest_checkpoint', 'rest_subtask'] as const;
/** Rows without a source: merged by key, keeping what is already there. */
const SHARED_TABLES = ['job', 'vertex', 'plan_edge'] as const;
const SCRATCH_SCHEMA = 'scratch';

/**
 * Writes the file every scratch incident starts as a copy of (copying and opening it takes 1–2 ms, creating the schema ~12):
 * the incident schema without its query indexes, since nothing queries a scratch file and every index is work
 * per row.
 */
export function createScratchTemplate(path: string): void {
  const db = openIncident(path, { create: true });
  try {
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as Array<{ name: string }>;
    for (const { name } of indexes) db.exec(`DROP INDEX "${name.replace(/"/g, '""')}"`);
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

/** A new scratch incident at `path` for one source, copied from the template. */
export function openScratch(template: string, path: string): Db {
  copyFileSync(template, path);
  return openIncident(path, { scratch: true });
}

/**
 * What a merge did: 'duplicate' when a finished source with the checksum comes first (nothing moved); otherwise
 * `replaced` names a finished source with the checksum that came later in walk order but was merged or committed
 * first — it is deleted, so the copy that stays does not depend on which parse finished first.
 */
export type MergeResult = { outcome: 'merged'; replaced?: number } | { outcome: 'duplicate' };

/**
 * Moves the source of the scratch incident `file`, with every row that hangs off it, into `db` inside one
 * transaction, and adds the scratch file's jobs, vertices and plan edges (also when the source is a duplicate).
 * Returns 'duplicate' (and moves no source rows) when a finished source with the same checksum comes first.
 * `target.id`, when given, is the id the source gets here (the ingest numbers sources in walk order);
 * `target.sha256` its checksum, when it was computed outside the scratch file (which then holds a placeholder).
 * Call it while `db` has no transaction open (SQLite attaches files only outside one).
 */
export function mergeScratch(db: Db, file: string, target: { id?: number; sha256?: string } = {}): MergeResult {
  db.exec(`ATTACH DATABASE '${file.replace(/'/g, "''")}' AS ${SCRATCH_SCHEMA}`);
  try {
    return db.transaction((): MergeResult => {
      const result = mergeSource(db, target);
      mergeShared(db);
      return result;
    })();
  } finally {
    db.exec(`DETACH DATABASE ${SCRATCH_SCHEMA}`);
  }
}

/** The copying statements of a merge, built from the incident's schema once per connection. */
interface MergeSql {
  /** Copies the source row under a given id and checksum: (id, sha256). */
  source: string;
  /** Per child table, copies the rows under the source's new id: (new id). */
  children: string[];
  shared: string[];
}
const mergeSqlByDb = new WeakMap<Db, MergeSql>();

function mergeSql(db: Db): MergeSql {
  let sql = mergeSqlByDb.get(db);
  if (sql === undefined) {
    // Row ids are the incident's to give: a copied table's own integer key is left out.
    const columns = (table: string): string[] => columnsOf(db, table).filter((c) => !(c.name === 'id' && c.pk === 1)).map((c) => c.name);
    const sourceColumns = columns('source').filter((c) => c !== 'sha256').join(', ');
    sql = {
      source: `INSERT INTO source (id, sha256, ${sourceColumns}) SELECT ?, ?, ${sourceColumns} FROM ${SCRATCH_SCHEMA}.source`,
      children: CHILD_TABLES.map((table) => {
        const list = columns(table).filter((c) => c !== 'source_id').join(', ');
        return `INSERT INTO ${table} (source_id, ${list}) SELECT ?, ${list} FROM ${SCRATCH_SCHEMA}.${table}`;
      }),
      shared: SHARED_TABLES.map((table) => {
        const list = columnsOf(db, table).map((c) => c.name).join(', ');
        return `INSERT OR IGNORE INTO ${table} (${list}) SELECT ${list} FROM ${SCRATCH_SCHEMA}.${table}`;
      }),
    };
    mergeSqlByDb.set(db, sql);
  }
  return sql;
}

function mergeSource(db: Db, target: { id?: number; sha256?: string }): MergeResult {
  const incoming = db.prepare(`SELECT sha256, status FROM ${SCRATCH_SCHEMA}.source`).all() as Array<{ sha256: string; status: string }>;
  if (incoming.length !== 1) throw new Error(`merge: a scratch file holds one source, this one ${incoming.length}`);
  const sha256 = target.sha256 ?? incoming[0]!.sha256;
  const existing = db.prepare('SELECT id, status FROM source WHERE sha256 = ?').get(sha256) as { id: number; status: string } | undefined;
  let replaced: number | undefined;
  if (existing !== undefined) {
    const finished = isFinished(existing.status);
    if (finished && (target.id === undefined || existing.id < target.id)) return { outcome: 'duplicate' };
    if (finished) replaced = existing.id;
    db.prepare('DELETE FROM source WHERE id = ?').run(existing.id);
  }
  const flame = db.prepare(`SELECT count(*) AS n FROM ${SCRATCH_SCHEMA}.flame_profile`).get() as { n: number };
  if (flame.n > 0) throw new Error('merge: flame profiles are parsed on the ingest thread, not in parse workers');
  const sql = mergeSql(db);
  const newId = Number(db.prepare(sql.source).run(target.id ?? null, sha256).lastInsertRowid);
  for (const child of sql.children) db.prepare(child).run(newId);
  return replaced === undefined ? { outcome: 'merged' } : { outcome: 'merged', replaced };
}

function mergeShared(db: Db): void {
  for (const shared of mergeSql(db).shared) db.prepare(shared).run();
}

function columnsOf(db: Db, table: string): Array<{ name: string; pk: number }> {
  return db.prepare('SELECT name, pk FROM pragma_table_info(?)').all(table) as Array<{ name: string; pk: number }>;
}
