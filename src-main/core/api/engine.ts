/**
 * The engine's public surface for shells that run in-process (CLI, server, Electron main). Shells import
 * from here (and from contract.ts for the typed service), never from deeper core folders.
 */
export { openIncident, IncidentFileError, type Db } from '../store/database.js';
export { SCHEMA_VERSION } from '../store/schema.js';
export { ingest, IngestCancelled, type IngestOptions, type IngestProgress, type IngestSummary, type SourceSummary } from '../ingest/ingest.js';
export { DEFAULT_MIN_PART_BYTES } from '../ingest/parse-pool.js';
export { runIngestInWorker } from '../ingest/worker-client.js';
export { listCheckpoints, checkpointDetail, checkpointCounts, type CheckpointRow, type CheckpointCounts } from '../store/queries/checkpoints.js';
export { runReadOnlyQuery } from '../store/queries/query.js';
export { incidentContents, type IncidentContents } from '../store/queries/overview.js';
export { microsToIso, parseUserTime, ZoneClock } from '../common/time.js';
export { listFindings, type FindingRow, type FindingFilter, type EvidenceRef, type IncidentSummary, type Hypothesis, type Severity } from '../store/queries/findings.js';
export { runDiagnosis, type DiagnosisRun } from '../analysis/findings/engine.js';
export { incidentSummary } from '../analysis/findings/summary.js';
export { buildReport, type ReportOptions } from '../report/report.js';
export { gcSummary, type GcJvmSummary } from '../store/queries/gc.js';
export { mergedTree, collapsed, listProfiles, type CallTreeNode, type MergedTree } from '../store/queries/flame.js';
