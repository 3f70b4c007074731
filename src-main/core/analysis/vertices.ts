import type { Db } from '../store/database.js';

/**
 * One name per job vertex across evidence kinds. The Prometheus reporter sanitises label values
 * (`Map -> Filter` → `Map____Filter`), so backpressure and metric rows from it name vertices differently from
 * logs and REST. Rows carrying a vertex id take the REST name; the rest are matched by sanitising the names
 * the logs and REST use the same way Flink's reporter does.
 */
export function unifyVertexNames(db: Db): void {
  db.transaction(() => {
    db.prepare(
      `UPDATE bp_sample SET vertex_name = (SELECT v.name FROM vertex v WHERE v.vertex_id = bp_sample.vertex_id)
        WHERE vertex_id IS NOT NULL AND EXISTS (SELECT 1 FROM vertex v WHERE v.vertex_id = bp_sample.vertex_id)`,
    ).run();
    const known = db
      .prepare(
        `SELECT name FROM vertex UNION SELECT DISTINCT vertex_name FROM event WHERE vertex_name IS NOT NULL
         UNION SELECT DISTINCT task_name FROM task_attempt WHERE task_name IS NOT NULL`,
      )
      .all() as Array<{ name: string }>;
    const bySanitised = new Map<string, string>();
    for (const { name } of known) bySanitised.set(sanitise(name), name);
    const rename = (table: 'bp_sample' | 'metric_sample', column: 'vertex_name' | 'task_name'): void => {
      const update = db.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${column} = ?`);
      for (const { value } of db.prepare(`SELECT DISTINCT ${column} AS value FROM ${table} WHERE ${column} IS NOT NULL`).all() as Array<{ value: string }>) {
        const real = bySanitised.get(value);
        if (real !== undefined && real !== value) update.run(real, value);
      }
    };
    rename('bp_sample', 'vertex_name');
    rename('metric_sample', 'task_name');
  })();
}

/** Flink's Prometheus reporter: every character outside [a-zA-Z0-9:_] becomes '_'. */
function sanitise(name: string): string {
  return name.replace(/[^a-zA-Z0-9:_]/g, '_');
}
