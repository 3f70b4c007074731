import type { Db } from '../store/database.js';
import { rebuildCheckpointModel } from './checkpoints.js';
import { runDiagnosis } from './findings/engine.js';

/** Recomputes every derived table (checkpoints, attempts, attribution, findings) from the ingested records. */
export function rebuildDerived(db: Db): void {
  rebuildCheckpointModel(db);
  runDiagnosis(db);
}
