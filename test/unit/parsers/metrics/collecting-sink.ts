import type {
  BackpressureSampleRecord, EventRecord, FlameProfileRecord, GcEventRecord, JobVertexRecord, MetricSampleRecord,
  ParseWarning, PlanEdgeRecord, RecordSink, RestCheckpointRecord, RestSubtaskCheckpointRecord,
} from '../../../../src-main/core/model/records.js';
import type { SourceFacts } from '../../../../src-main/core/model/source.js';

/** A RecordSink that keeps everything, for assertions. */
export class CollectingSink implements RecordSink {
  readonly factsList: SourceFacts[] = [];
  readonly events: EventRecord[] = [];
  readonly gcs: GcEventRecord[] = [];
  readonly backpressures: BackpressureSampleRecord[] = [];
  readonly metrics: MetricSampleRecord[] = [];
  readonly checkpoints: RestCheckpointRecord[] = [];
  readonly subtasks: RestSubtaskCheckpointRecord[] = [];
  readonly vertices: JobVertexRecord[] = [];
  readonly edges: PlanEdgeRecord[] = [];
  readonly flames: FlameProfileRecord[] = [];
  readonly warnings: ParseWarning[] = [];

  facts(facts: SourceFacts): void { this.factsList.push(facts); }
  event(event: EventRecord): void { this.events.push(event); }
  gc(event: GcEventRecord): void { this.gcs.push(event); }
  backpressure(sample: BackpressureSampleRecord): void { this.backpressures.push(sample); }
  metric(sample: MetricSampleRecord): void { this.metrics.push(sample); }
  restCheckpoint(record: RestCheckpointRecord): void { this.checkpoints.push(record); }
  restSubtask(record: RestSubtaskCheckpointRecord): void { this.subtasks.push(record); }
  vertex(record: JobVertexRecord): void { this.vertices.push(record); }
  planEdge(record: PlanEdgeRecord): void { this.edges.push(record); }
  flame(profile: FlameProfileRecord): void { this.flames.push(profile); }
  warning(warning: ParseWarning): void { this.warnings.push(warning); }
}
