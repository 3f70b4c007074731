import type { ZoneClock } from '../common/time.js';
import type { Level, ParseWarning, RecordSink } from '../model/records.js';
import type { Detection, SourceFacts } from '../model/source.js';

export interface ParseContext {
  sink: RecordSink;
  /** Converts zone-less local timestamps of this source to the incident axis. */
  clock: ZoneClock;
  /** Path of the file inside the bundle (for host / TaskManager hints in file names). */
  path: string;
  detection: Detection;
}

/**
 * A line-oriented parser: sees every physical line once, in order. After each call, `currentTs` and
 * `currentLevel` describe the record the line belongs to (continuation lines inherit them) so the ingest
 * can build the line index without parsing twice.
 */
export interface TextParser {
  /** `raw`, when given, holds the line's bytes at [rawStart, rawStart + text.length): the line is ASCII. */
  line(text: string, lineNo: number, raw?: Uint8Array, rawStart?: number): void;
  end(): void;
  /** For a parser with a PartJoin: ends one part of a file, leaving the file-level records to the join. */
  endPart?(): unknown;
  readonly currentTs: number;
  readonly currentLevel: Level;
  /** True when the last line continues a record started earlier (stack trace, embedded newline). */
  readonly currentIsContinuation: boolean;
}

export type TextParserFactory = (ctx: ParseContext) => TextParser;

/** The records a file read in parts still owes once every part is in, or why its parts cannot stand for one pass. */
export type JoinedParts =
  | { clean: true; facts: SourceFacts[]; warnings: ParseWarning[] }
  | { clean: false; reason: string };

/**
 * How a text format is read in parts side by side: a large file is cut before lines that `startsPart` accepts, each
 * part parsed on its own and ended with `endPart`, and `join` (with every part's state, in order) gives what the
 * file as a whole still owes.
 */
export interface PartJoin<State> {
  startsPart(line: string): boolean;
  join(parts: readonly State[], path: string): JoinedParts;
}

/** Whole-file parsers for structured formats (JSON, JFR, HTML). Input size is capped by the ingest. */
export type BufferParser = (data: Buffer, ctx: ParseContext) => void;
