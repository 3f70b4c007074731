import type { RecordSink } from '../../model/records.js';

/**
 * Parses the body of one Slf4jReporter record (flink-formats §4.3): the lines after the logger's `- ` up to
 * "Finished metrics report". Called by the Flink log parser with the record's time.
 * Placeholder until the metrics parser lands.
 */
export function parseSlf4jReport(bodyLines: readonly string[], ts: number, firstLine: number, sink: RecordSink): void {
  void bodyLines;
  void ts;
  void firstLine;
  void sink;
}
