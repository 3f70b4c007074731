import { copyFileSync } from 'node:fs';
import type { ParseWarning } from '../model/records.js';
import type { SourceFacts } from '../model/source.js';
import { openIncident, type Db } from './database.js';
import { IncidentWriter, isFinished } from './writer.js';

/**
 * Parse workers write each source into a scratch incident of its own, which the ingest thread merges into the
 * real incident and then deletes. One file per source: nothing reads a file while it is written (so it needs no
 * WAL, and closing it checkpoints nothing), and a merge reads each of its tables whole, so they need no index on
 * the source. Columns are read from the schema, so a new column needs no change here.
 *
 * A merge copies a table a slice of rows at a time and pauses between slices, its transaction open: the ingest
 * thread that merges is also the one that hands the parse workers their next files, and a worker that finishes
 * during a merge would otherwise wait for all of it (a large log's merge takes most of a second).
 */

/** Rows that hang off a source. */
const CHILD_TABLES = ['warning', 'log_block', 'event', 'gc_event', 'bp_sample', 'metric_sample', 'config', 'rest_checkpoint', 'rest_subtask'] as const;
/** Rows without a source: merged by key, keeping what is already there. */
const SHARED_TABLES = ['job', 'vertex', 'plan_edge'] as const;
/** Columns that hold a line number of their source. */
const LINE_COLUMNS = new Set(['line', 'first_line']);
/** The scratch files of one merge are attached as scratch1, scratch2, … */
const SCRATCH_SCHEMA = 'scratch';
/** Page cache of an attached scratch file while it is merged (pages). */
const SCRATCH_CACHE_PAGES = 256;
/** Rows one statement of a merge copies before it pauses: tens of ms of work (a log block is ~25 KB compressed). */
const SLICE_ROWS: Partial<Record<ChildTable, number>> = { log_block: 256 };
const DEFAULT_SLICE_ROWS = 4096;
type ChildTable = (typeof CHILD_TABLES)[number];

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

/** Where a merged source goes, see mergeScratch. */
export interface MergeTarget {
  id?: number;
  sha256?: string;
  /** The file-level records of a source read in parts (written after the last part). */
  owed?: { facts: readonly SourceFacts[]; warnings: readonly ParseWarning[] };
}

/**
 * Moves the source of the scratch incidents `files`, with every row that hangs off it, into `db` inside one
 * transaction, and adds the scratch files' jobs, vertices and plan edges (also when the source is a duplicate).
 * More than one file: parts of one file in order (see ParsePool), each with its lines numbered from 1; they are
 * appended to the first as one source, lines renumbered (their facts and warnings written as the writer writes
 * them), then the `owed` records are written.
 * Returns 'duplicate' (and moves no source rows) when a finished source with the same checksum comes first.
 * `target.id`, when given, is the id the source gets here (the ingest numbers sources in walk order);
 * `target.sha256` its checksum, when it was computed outside the scratch file (which then holds a placeholder).
 * Between slices of rows it awaits `pause` (by default the event loop's next turn); meanwhile the caller must not
 * use `db` but for reads. Call it while `db` has no transaction open (SQLite attaches files only outside one).
 */
export async function mergeScratch(db: Db, files: readonly string[], target: MergeTarget = {}, pause: () => Promise<void> = nextTurn): Promise<MergeResult> {
  const schemas = files.map((_, i) => `${SCRATCH_SCHEMA}${i + 1}`);
  const attached: string[] = [];
  try {
    for (const [i, file] of files.entries()) {
      db.exec(`ATTACH DATABASE '${file.replace(/'/g, "''")}' AS ${schemas[i]}`);
      attached.push(schemas[i]!);
      // Each attached file gets a page cache of its own (SQLite's default: 16 MB), and a merge reads every page of
      // it once: a small cache does, and a log read in parts does not hold a large cache per part.
      db.pragma(`${schemas[i]}.cache_size = ${SCRATCH_CACHE_PAGES}`);
    }
    db.exec('BEGIN');
    try {
      const steps = mergeSteps(db, schemas, target);
      let step = steps.next();
      while (step.done !== true) {
        await pause();
        step = steps.next();
      }
      db.exec('COMMIT');
      return step.value;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  } finally {
    for (const schema of attached) db.exec(`DETACH DATABASE ${schema}`);
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The work of mergeScratch, paused (yield) between slices of rows. */
function* mergeSteps(db: Db, schemas: readonly string[], target: MergeTarget): Generator<void, MergeResult> {
  const { id, ...result } = yield* mergeSource(db, schemas[0]!, target);
  if (id !== undefined) {
    const writer = new IncidentWriter(db);
    for (const schema of schemas.slice(1)) {
      const part = yield* appendPart(db, schema, id);
      writer.amendSource(id, part.facts, part.warnings);
    }
    if (target.owed !== undefined) writer.amendSource(id, target.owed.facts, target.owed.warnings);
  }
  for (const schema of schemas) mergeShared(db, schema);
  return result;
}

/** Runs a copying statement of `table` over the rows of its scratch copy in `schema`, a slice of rowids at a time. */
function* copyInSlices(db: Db, schema: string, table: ChildTable, statement: string, params: Record<string, number>): Generator<void> {
  const { first, last } = db.prepare(`SELECT min(rowid) AS first, max(rowid) AS last FROM ${schema}.${table}`).get() as { first: number | null; last: number | null };
  if (first === null || last === null) return;
  const copy = db.prepare(statement);
  const rows = SLICE_ROWS[table] ?? DEFAULT_SLICE_ROWS;
  for (let from = first; from <= last; from += rows) {
    copy.run({ ...params, from, to: from + rows - 1 });
    yield;
  }
}

/** The copying statements of a merge from one attached scratch file, built from the incident's schema. */
interface MergeSql {
  /** Copies the source row under a given id and checksum: (id, sha256). */
  source: string;
  /** Per child table, copies a slice of rowids under the source's new id: (@id, @from, @to). */
  children: Array<{ table: ChildTable; sql: string }>;
  /** Per child table but warnings, appends a slice of a later part's rows to a source: (@id, @lines, @blocks, @from, @to). */
  appended: Array<{ table: ChildTable; sql: string }>;
  /** Adds a later part's counts and time range to a source (its facts and warnings go through the writer): (id). */
  appendSource: string;
  shared: string[];
}
const mergeSqlByDb = new WeakMap<Db, Map<string, MergeSql>>();
const SLICE = 'WHERE rowid BETWEEN @from AND @to';

function mergeSql(db: Db, schema: string): MergeSql {
  let bySchema = mergeSqlByDb.get(db);
  if (bySchema === undefined) mergeSqlByDb.set(db, (bySchema = new Map()));
  let sql = bySchema.get(schema);
  if (sql === undefined) {
    // Row ids are the incident's to give: a copied table's own integer key is left out.
    const columns = (table: string): string[] => columnsOf(db, table).filter((c) => !(c.name === 'id' && c.pk === 1)).map((c) => c.name);
    const sourceColumns = columns('source').filter((c) => c !== 'sha256').join(', ');
    const childColumns = (table: string): string[] => columns(table).filter((c) => c !== 'source_id');
    const renumbered = (column: string): string => (LINE_COLUMNS.has(column) ? `${column} + @lines` : column === 'block_no' ? 'block_no + @blocks' : column);
    sql = {
      source: `INSERT INTO source (id, sha256, ${sourceColumns}) SELECT ?, ?, ${sourceColumns} FROM ${schema}.source`,
      children: CHILD_TABLES.map((table) => {
        const list = childColumns(table).join(', ');
        return { table, sql: `INSERT INTO ${table} (source_id, ${list}) SELECT @id, ${list} FROM ${schema}.${table} ${SLICE}` };
      }),
      appended: CHILD_TABLES.filter((table) => table !== 'warning').map((table) => {
        const list = childColumns(table);
        return { table, sql: `INSERT INTO ${table} (source_id, ${list.join(', ')}) SELECT @id, ${list.map(renumbered).join(', ')} FROM ${schema}.${table} ${SLICE}` };
      }),
      appendSource: `UPDATE main.source SET ${['bytes', 'lines', 'events'].map((c) => `${c} = source.${c} + p.${c}`).join(', ')},
        time_from_us = coalesce(min(source.time_from_us, p.time_from_us), source.time_from_us, p.time_from_us),
        time_to_us = coalesce(max(source.time_to_us, p.time_to_us), source.time_to_us, p.time_to_us)
        FROM ${schema}.source AS p WHERE source.id = ?`,
      shared: SHARED_TABLES.map((table) => {
        const list = columnsOf(db, table).map((c) => c.name).join(', ');
        return `INSERT OR IGNORE INTO ${table} (${list}) SELECT ${list} FROM ${schema}.${table}`;
      }),
    };
    bySchema.set(schema, sql);
  }
  return sql;
}

function* mergeSource(db: Db, schema: string, target: MergeTarget): Generator<void, MergeResult & { id?: number }> {
  const incoming = db.prepare(`SELECT sha256, status FROM ${schema}.source`).all() as Array<{ sha256: string; status: string }>;
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
  const flame = db.prepare(`SELECT count(*) AS n FROM ${schema}.flame_profile`).get() as { n: number };
  if (flame.n > 0) throw new Error('merge: flame profiles are parsed on the ingest thread, not in parse workers');
  const sql = mergeSql(db, schema);
  const id = Number(db.prepare(sql.source).run(target.id ?? null, sha256).lastInsertRowid);
  for (const { table, sql: copy } of sql.children) yield* copyInSlices(db, schema, table, copy, { id });
  return replaced === undefined ? { outcome: 'merged', id } : { outcome: 'merged', replaced, id };
}

/**
 * Appends a later part of a file to source `id`: its lines follow the lines so far, its blocks the blocks so far.
 * Returns what the writer adds to the source: the part's facts, and its warnings with their lines renumbered (a
 * warning that names its line, "line 12: …", names it anew).
 */
function* appendPart(db: Db, schema: string, id: number): Generator<void, { facts: SourceFacts[]; warnings: ParseWarning[] }> {
  const sql = mergeSql(db, schema);
  const lines = (db.prepare('SELECT lines FROM main.source WHERE id = ?').get(id) as { lines: number }).lines;
  const blocks = (db.prepare('SELECT coalesce(max(block_no) + 1, 0) AS n FROM main.log_block WHERE source_id = ?').get(id) as { n: number }).n;
  for (const { table, sql: copy } of sql.appended) yield* copyInSlices(db, schema, table, copy, { id, lines, blocks });
  db.prepare(sql.appendSource).run(id);
  const warnings = (db.prepare(`SELECT line, message FROM ${schema}.warning ORDER BY id`).all() as Array<{ line: number | null; message: string }>).map(
    ({ line, message }): ParseWarning => {
      if (line === null) return { message };
      const prefix = `line ${line}`;
      const named = message.startsWith(prefix) && /^[: ]/.test(message.slice(prefix.length));
      return { line: line + lines, message: named ? `line ${line + lines}${message.slice(prefix.length)}` : message };
    },
  );
  const facts = (db.prepare(`SELECT facts FROM ${schema}.source`).get() as { facts: string | null }).facts;
  return { facts: facts === null ? [] : [JSON.parse(facts) as SourceFacts], warnings };
}

function mergeShared(db: Db, schema: string): void {
  for (const shared of mergeSql(db, schema).shared) db.prepare(shared).run();
}

function columnsOf(db: Db, table: string): Array<{ name: string; pk: number }> {
  return db.prepare('SELECT name, pk FROM pragma_table_info(?)').all(table) as Array<{ name: string; pk: number }>;
}
