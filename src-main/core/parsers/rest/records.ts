import type { RecordSink, RestCheckpointRecord, RestSubtaskCheckpointRecord } from '../../model/records.js';
import type { PathHints } from './path-hints.js';

/**
 * One checkpoint often appears several times in a dump (history entry, `latest.*`, its details file): the
 * copies are merged field by field and emitted once, a terminal status winning over IN_PROGRESS.
 */
export class RestRecords {
  private readonly checkpoints = new Map<string, RestCheckpointRecord>();
  private readonly subtasks = new Map<string, RestSubtaskCheckpointRecord>();

  constructor(private readonly sink: RecordSink) {}

  checkpoint(record: RestCheckpointRecord): void {
    const key = `${record.job}\u0000${record.checkpointId}`;
    const known = this.checkpoints.get(key);
    if (known === undefined) {
      this.checkpoints.set(key, record);
      return;
    }
    const status = known.status !== 'IN_PROGRESS' && record.status === 'IN_PROGRESS' ? known.status : record.status;
    this.checkpoints.set(key, { ...known, ...definedFields(record), status });
  }

  subtask(record: RestSubtaskCheckpointRecord): void {
    const key = `${record.job}\u0000${record.checkpointId}\u0000${record.vertexId}\u0000${record.subtask}`;
    const known = this.subtasks.get(key);
    if (known === undefined) {
      this.subtasks.set(key, record);
      return;
    }
    const status = known.status === 'completed' ? known.status : record.status;
    this.subtasks.set(key, { ...known, ...definedFields(record), status });
  }

  flush(): void {
    for (const record of this.checkpoints.values()) this.sink.restCheckpoint(record);
    for (const record of this.subtasks.values()) this.sink.restSubtask(record);
    this.checkpoints.clear();
    this.subtasks.clear();
  }
}

function definedFields<T extends object>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** What every shape reader gets: where the response came from and where its records go. */
export interface RestScope {
  hints: PathHints;
  /** The job id from the body or path; 'unknown-job' (after one warning per file) when neither has it. */
  job(fromBody?: string): string;
  /** Checkpoint and subtask rows, merged before they reach the sink. */
  records: RestRecords;
  sink: RecordSink;
  warning(message: string): void;
}
