import type { Db } from '../database.js';

/** `sluice query`: one statement, read-only by construction (the connection is opened read-only too). */
export function runReadOnlyQuery(db: Db, sql: string): { columns: string[]; rows: unknown[][] } {
  const statement = db.prepare(sql);
  if (!statement.readonly || !statement.reader) throw new Error('only read-only statements (SELECT, WITH, PRAGMA reads) are allowed');
  statement.raw(true);
  const columns = statement.columns().map((c) => c.name);
  return { columns, rows: statement.all() as unknown[][] };
}
