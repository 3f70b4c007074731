import type { ParseWarning } from '../../model/records.js';
import type { SourceFacts } from '../../model/source.js';
import type { JoinedParts, PartJoin } from '../types.js';
import { hostFromFileName } from './ids.js';
import { Header, parseHeader, StampKind } from './layout.js';

/**
 * A large log is parsed in parts side by side (ingest/parse-pool.ts): cut where a dated record starts, each part
 * parsed on its own from an empty state. The state a part would have carried over is small, and what it leaves
 * behind tells whether the next part read as it would have read on from it. Where that is in doubt the join says
 * so, and the file is parsed again in one pass: a file parsed in parts gives exactly the rows of one pass.
 */
export interface FlinkLogPartState {
  /** Lines read, records started. */
  lines: number;
  records: number;
  /** Lines before the first record, which one pass would have added to the record before them. */
  linesBeforeFirstRecord: number;
  bannerSeen: boolean;
  /** "Loading configuration property" pairs, in the order first seen, last value kept. */
  config: Array<[string, string]>;
  /** The logger of a banner still open where the part ended; the part wrote it there. */
  openBannerLogger?: string;
  /** The logger of the part's first record, which would have continued such a banner. */
  firstLogger?: string;
  /** Exception texts by key (exceptionTextKey) and the time one was last written. */
  lastExceptionTexts: Array<[string, number]>;
  /** Within the part's first log seconds, the keys whose first use was a decision to write or skip, and its time. */
  firstExceptionTexts: Array<[string, number]>;
  /** Time-only stamps take their date from the file's first full stamp, which a later part does not see. */
  timeOnlyStamps: boolean;
}

/**
 * Exception texts repeat: one lost TaskManager fails every task it ran, and each failure carries the same
 * heartbeat TimeoutException. Within this window one event per (kind, TaskManager, OOM type, RPC recipient) is
 * enough; the parent records keep their own events.
 */
export const EXCEPTION_TEXT_WINDOW_US = 10_000_000;

/**
 * The file-level facts and warnings of a log read in `parts` (one part: the whole file), or why the parts cannot
 * stand for one pass over the file.
 */
export function joinFlinkLogParts(parts: readonly FlinkLogPartState[], path: string): JoinedParts {
  const lastTexts = new Map<string, number>();
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i > 0) {
      const before = parts[i - 1]!;
      if (part.linesBeforeFirstRecord > 0) return { clean: false, reason: `part ${i + 1} does not start with a record` };
      if (part.timeOnlyStamps) return { clean: false, reason: `part ${i + 1} has time-only stamps` };
      if (before.openBannerLogger !== undefined && before.openBannerLogger === part.firstLogger) {
        return { clean: false, reason: `part ${i + 1} may continue the banner of ${before.openBannerLogger}` };
      }
      for (const [key, ts] of part.firstExceptionTexts) {
        const last = lastTexts.get(key);
        if (last !== undefined && Math.abs(ts - last) < EXCEPTION_TEXT_WINDOW_US) {
          return { clean: false, reason: `part ${i + 1} repeats exception text ${key} within the window` };
        }
      }
    }
    for (const [key, ts] of part.lastExceptionTexts) lastTexts.set(key, ts);
  }

  const facts: SourceFacts[] = [];
  const warnings: ParseWarning[] = [];
  const config: Record<string, string> = {};
  for (const part of parts) for (const [key, value] of part.config) config[key] = value;
  if (Object.keys(config).length > 0) facts.push({ config });
  const fileHost = hostFromFileName(path);
  if (!parts.some((part) => part.bannerSeen) && fileHost !== undefined) facts.push({ host: fileHost });
  const lines = parts.reduce((sum, part) => sum + part.lines, 0);
  if (parts.every((part) => part.records === 0) && lines > 0) {
    warnings.push({ message: `no Flink log record found in ${lines} lines: the layout was not recognised (flink-formats §1.1)` });
  }
  return { clean: true, facts, warnings };
}

const cutHeader = new Header();

export const flinkLogParts: PartJoin<FlinkLogPartState> = {
  // A line with a full date starts a record in every layout; a part starting there needs nothing of the one before.
  startsPart: (line) => parseHeader(line, cutHeader) && cutHeader.stamp === StampKind.Full,
  join: joinFlinkLogParts,
};
