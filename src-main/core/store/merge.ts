import type { Db } from './database.js';
import { isFinished } from './writer.js';

/**
 * Moves one source, with every row that hangs off it, from an attached incident (a parse worker's temporary
 * file) into this one, inside one transaction. Columns are read from the schema, so a new column needs no
 * change here. Returns 'duplicate' (and moves nothing) when a finished source with the same checksum exists.
 */
export const CHILD_TABLES = ['warning', 'log_block', 'event', 'gc_event', 'bp_sample', 'metric_sample', 'config', 'rest_checkpoint', 'rest_subtask'] as const;
/** Rows without a source: merged by key, keeping what is already there. */
const SHARED_TABLES = ['job', 'vertex', 'plan_edge'] as const;

/**
 * Readies a scratch incident (a parse worker's) for bulk writes and per-source merges: the query indexes are
 * dropped, since nothing queries a scratch file, and each child table gets a source_id index instead, so
 * merging one source reads its rows only, not the whole table once per source.
 */
export function prepareScratch(db: Db): void {
  const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as Array<{ name: string }>;
  for (const { name } of indexes) db.exec(`DROP INDEX "${name.replace(/"/g, '""')}"`);
  for (const table of CHILD_TABLES) db.exec(`CREATE INDEX scratch_${table}_source ON ${table} (source_id)`);
}

/**
 * What a merge did: 'duplicate' when a finished source with the checksum comes first (nothing moved); otherwise
 * `replaced` names a finished source with the checksum that came later in walk order but was merged or committed
 * first — it is deleted, so the copy that stays does not depend on which parse finished first.
 */
export type MergeResult = { outcome: 'merged'; replaced?: number } | { outcome: 'duplicate' };

/**
 * `target.id`, when given, is the id the source gets here (the ingest numbers sources in walk order);
 * `target.sha256` its checksum, when it was computed outside the attached file (which then holds a placeholder).
 */
export function mergeSource(db: Db, schema: string, sourceId: number, target: { id?: number; sha256?: string } = {}): MergeResult {
  // Row ids are the incident's to give: a copied table's own integer key is left out.
  const columns = (table: string): string[] => columnsOf(db, table).filter((c) => !(c.name === 'id' && c.pk === 1)).map((c) => c.name);
  return db.transaction((): MergeResult => {
    const incoming = db.prepare(`SELECT sha256, status FROM ${schema}.source WHERE id = ?`).get(sourceId) as { sha256: string; status: string } | undefined;
    if (incoming === undefined) throw new Error(`merge: no source ${sourceId} in ${schema}`);
    const sha256 = target.sha256 ?? incoming.sha256;
    const existing = db.prepare('SELECT id, status FROM source WHERE sha256 = ?').get(sha256) as { id: number; status: string } | undefined;
    let replaced: number | undefined;
    if (existing !== undefined) {
      const finished = isFinished(existing.status);
      if (finished && (target.id === undefined || existing.id < target.id)) return { outcome: 'duplicate' };
      if (finished) replaced = existing.id;
      db.prepare('DELETE FROM source WHERE id = ?').run(existing.id);
    }
    const flame = db.prepare(`SELECT count(*) AS n FROM ${schema}.flame_profile WHERE source_id = ?`).get(sourceId) as { n: number };
    if (flame.n > 0) throw new Error('merge: flame profiles are parsed on the ingest thread, not in parse workers');
    const sourceColumns = columns('source').filter((c) => c !== 'sha256').join(', ');
    const newId = Number(db.prepare(`INSERT INTO source (id, sha256, ${sourceColumns}) SELECT ?, ?, ${sourceColumns} FROM ${schema}.source WHERE id = ?`)
      .run(target.id ?? null, sha256, sourceId).lastInsertRowid);
    for (const table of CHILD_TABLES) {
      const cols = columns(table).filter((c) => c !== 'source_id');
      const list = cols.join(', ');
      db.prepare(`INSERT INTO ${table} (source_id, ${list}) SELECT ?, ${list} FROM ${schema}.${table} WHERE source_id = ?`).run(newId, sourceId);
    }
    return replaced === undefined ? { outcome: 'merged' } : { outcome: 'merged', replaced };
  })();
}

/**
 * Adds the rows without a source (jobs, vertices, plan edges) from an attached incident, keeping what is there:
 * called once per worker file after its sources are merged.
 */
export function mergeShared(db: Db, schema: string): void {
  db.transaction(() => {
    for (const table of SHARED_TABLES) {
      const list = columnsOf(db, table).map((c) => c.name).join(', ');
      db.prepare(`INSERT OR IGNORE INTO ${table} (${list}) SELECT ${list} FROM ${schema}.${table}`).run();
    }
  })();
}

function columnsOf(db: Db, table: string): Array<{ name: string; pk: number }> {
  return db.prepare('SELECT name, pk FROM pragma_table_info(?)').all(table) as Array<{ name: string; pk: number }>;
}
