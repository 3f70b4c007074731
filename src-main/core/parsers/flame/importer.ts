import type { FlameProfileRecord, RecordSink } from '../../model/records.js';
import type { FlameMode, PathHints } from './path-hints.js';
import { locationOf } from './path-hints.js';
import type { StackTable } from './stack-table.js';

/** What every format importer gets: the sink plus what the path told us. */
export interface ImportEnv {
  sink: RecordSink;
  hints: PathHints;
}

/** Caps per-line warnings so a file of junk cannot flood the warning table. */
export class WarningBudget {
  private suppressed = 0;
  private used = 0;

  constructor(
    private readonly sink: RecordSink,
    private readonly limit = 50,
  ) {}

  warn(message: string, line?: number): void {
    if (this.used >= this.limit) {
      this.suppressed++;
      return;
    }
    this.used++;
    this.sink.warning(line === undefined ? { message } : { line, message });
  }

  /** Reports how many warnings were left out, if any. */
  finish(what: string): void {
    if (this.suppressed > 0) this.sink.warning({ message: `${this.suppressed} more ${what} not listed` });
  }
}

/**
 * Emits one profile. Formats without their own clock get the file-name capture time as a point, never exact.
 */
export function emitProfile(
  env: ImportEnv,
  table: StackTable,
  fields: { format: string; mode: FlameMode; title?: string; startTs?: number; endTs?: number; timeExact?: boolean; withSamples?: boolean },
): void {
  const record: FlameProfileRecord = {
    format: fields.format,
    mode: fields.mode,
    timeExact: fields.timeExact ?? false,
    ...locationOf(env.hints),
    stacks: table.stacks,
  };
  const start = fields.startTs ?? env.hints.captureUs;
  const end = fields.endTs ?? fields.startTs ?? env.hints.captureUs;
  if (start !== undefined) record.startTs = start;
  if (end !== undefined) record.endTs = end;
  if (fields.title !== undefined) record.title = fields.title;
  if (fields.withSamples === true && table.samples.length > 0) record.samples = table.samples;
  env.sink.flame(record);
}
