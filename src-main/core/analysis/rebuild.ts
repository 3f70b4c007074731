import type { Db } from '../store/database.js';
import { rebuildCheckpointModel } from './checkpoints.js';
import { runDiagnosis } from './findings/engine.js';
import { attributeGcSources } from './gc-attribution.js';
import { unifyVertexNames } from './vertices.js';

/**
 * Recomputes every derived table from the ingested records, in dependency order: attempts and checkpoints,
 * then names and GC attribution (which use the attempts and TaskManagers), then the findings over all of it.
 */
export function rebuildDerived(db: Db): void {
  rebuildCheckpointModel(db);
  unifyVertexNames(db);
  attributeGcSources(db);
  runDiagnosis(db);
}
