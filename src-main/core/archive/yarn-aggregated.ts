import type { ChunkReader } from './byte-source.js';

/**
 * Splits the output of `yarn logs -applicationId …` (Hadoop aggregated logs, flink-formats §1.2) into the files
 * it wraps. Each file is a section:
 *
 *   Container: container_e12_1686000000000_0001_01_000003 on host-7_45454
 *   =========================================================================   (Hadoop 3 adds LogAggregationType:)
 *   LogType:taskmanager.log
 *   Log Upload Time:Wed Jun 14 09:40:12 +0000 2023                               (Hadoop 3: LogLastModifiedTime:)
 *   LogLength:123456
 *   Log Contents:                                                                (Hadoop 3: LogContents:)
 *   …exactly LogLength bytes…
 *   End of LogType:taskmanager.log                                               (Hadoop ≥ 2.8)
 *
 * The content is read by its LogLength when the header has one (exact, and the only way for Hadoop < 2.8, which
 * writes no end line); otherwise up to the next line starting 'End of LogType:'. Sections are streamed: the
 * splitter never holds more than one chunk of content.
 */

export interface YarnSection {
  /** e.g. container_e12_1686000000000_0001_01_000003; undefined when the file starts without a Container line. */
  containerId: string | undefined;
  /** The wrapped file's name as written by YARN, e.g. 'taskmanager.log'. */
  logType: string;
  /** LogLength from the header, when present. */
  declaredLength: number | undefined;
}

export interface ChunkPushback extends ChunkReader {
  unshift(chunk: Buffer): void;
}

/** How many leading bytes `looksLikeYarnAggregatedLog` wants to see. */
export const YARN_SNIFF_BYTES = 16 * 1024;

const CONTAINER_LINE = /^Container: (container_[A-Za-z0-9_]+)/m;
const LOGTYPE_LINE = /^LogType: ?\S/m;
const CONTENTS_LINE = /^Log ?Contents:/m;

/** True when the first KBs show a Container header followed by LogType / Log Contents sections. */
export function looksLikeYarnAggregatedLog(head: Buffer): boolean {
  const text = head.subarray(0, YARN_SNIFF_BYTES).toString('latin1');
  return CONTAINER_LINE.test(text) && LOGTYPE_LINE.test(text) && CONTENTS_LINE.test(text);
}

const CONTAINER = /^Container: (container_[A-Za-z0-9_]+)(?: on \S+)?\s*$/;
const LOG_TYPE = /^LogType: ?(\S.*?)\s*$/;
const LOG_LENGTH = /^LogLength: ?(\d{1,15})\s*$/;
const LOG_CONTENTS = /^Log ?Contents:\s*$/;
/** Lines that may legitimately follow a section's content. */
const AFTER_CONTENT = /^(?:End of LogType:|LogType:|Container: |LogAggregationType:|\*{3}|={3})/;
const END_MARKER = Buffer.from('\nEnd of LogType:');
/** Header lines are short; a longer "line" is foreign content and only its start is kept. */
const MAX_HEADER_LINE = 64 * 1024;

export class YarnLogSplitter {
  private containerId: string | undefined;
  private logType: string | undefined;
  private declaredLength: number | undefined;
  private current: AsyncGenerator<Buffer> | undefined;
  private warnedOrphanContents = false;

  constructor(
    private readonly source: ChunkPushback,
    private readonly warn: (message: string) => void,
  ) {}

  /**
   * The next section and its content. The previous section's content is drained first if its reader stopped
   * early, so callers may skip a section by not reading it.
   */
  async nextSection(): Promise<{ section: YarnSection; content: AsyncGenerator<Buffer> } | undefined> {
    if (this.current !== undefined) {
      for await (const chunk of this.current) void chunk;
      this.current = undefined;
    }
    for (;;) {
      const line = await this.readLine();
      if (line === undefined) return undefined;
      let match: RegExpExecArray | null;
      if ((match = CONTAINER.exec(line)) !== null) {
        this.containerId = match[1];
        this.logType = undefined;
      } else if ((match = LOG_TYPE.exec(line)) !== null) {
        this.logType = match[1];
        this.declaredLength = undefined;
      } else if ((match = LOG_LENGTH.exec(line)) !== null) {
        this.declaredLength = Number(match[1]);
      } else if (LOG_CONTENTS.test(line)) {
        if (this.logType === undefined) {
          if (!this.warnedOrphanContents) this.warn("a 'Log Contents:' line without a LogType line before it: that text was skipped");
          this.warnedOrphanContents = true;
          continue;
        }
        const section: YarnSection = { containerId: this.containerId, logType: this.logType, declaredLength: this.declaredLength };
        const label = `section ${section.containerId ?? '(no container)'}/${section.logType}`;
        this.current =
          section.declaredLength === undefined ? this.contentUntilEndMarker(label) : this.contentByLength(section.declaredLength, label);
        this.logType = undefined;
        this.declaredLength = undefined;
        return { section, content: this.current };
      }
      // Upload-time lines, separators, end lines, blank lines and the yarn client's own log lines carry nothing.
    }
  }

  private async readLine(): Promise<string | undefined> {
    const parts: Buffer[] = [];
    let kept = 0;
    let sawAny = false;
    for (;;) {
      const chunk = await this.source.next();
      if (chunk === undefined) return sawAny ? decodeLine(parts) : undefined;
      sawAny = true;
      const newline = chunk.indexOf(0x0a);
      const piece = newline >= 0 ? chunk.subarray(0, newline) : chunk;
      if (kept < MAX_HEADER_LINE) {
        const room = MAX_HEADER_LINE - kept;
        parts.push(piece.length > room ? piece.subarray(0, room) : piece);
        kept += Math.min(piece.length, room);
      }
      if (newline >= 0) {
        this.source.unshift(chunk.subarray(newline + 1));
        return decodeLine(parts);
      }
    }
  }

  private async *contentByLength(length: number, label: string): AsyncGenerator<Buffer> {
    let remaining = length;
    while (remaining > 0) {
      const chunk = await this.source.next();
      if (chunk === undefined) {
        this.warn(`${label}: the file ends ${remaining} bytes before its LogLength of ${length}; the section is truncated`);
        return;
      }
      if (chunk.length > remaining) {
        this.source.unshift(chunk.subarray(remaining));
        const last = chunk.subarray(0, remaining);
        remaining = 0;
        yield last;
      } else {
        remaining -= chunk.length;
        yield chunk;
      }
    }
    const after = await this.peek(256);
    const text = after.toString('latin1').replace(/^[\r\n]+/, '');
    if (text !== '' && !AFTER_CONTENT.test(text)) {
      this.warn(`${label}: the text after its LogLength of ${length} bytes is not a section end; the file may have been edited (line endings?) and the section may be cut short`);
    }
  }

  private async *contentUntilEndMarker(label: string): AsyncGenerator<Buffer> {
    // The content starts at a line start; a virtual '\n' in front lets an empty section match the marker at once.
    let pending = Buffer.from('\n');
    let virtualNewline = true;
    for (;;) {
      const chunk = await this.source.next();
      const start = virtualNewline ? 1 : 0;
      if (chunk === undefined) {
        if (pending.length > start) yield pending.subarray(start);
        this.warn(`${label}: no LogLength and no 'End of LogType' line before the end of the file; the section may be truncated`);
        return;
      }
      const buffer = Buffer.concat([pending, chunk]);
      const at = buffer.indexOf(END_MARKER);
      if (at >= 0) {
        this.source.unshift(buffer.subarray(at + 1));
        if (at > start) yield buffer.subarray(start, at);
        return;
      }
      // Keep a tail that could be the start of the marker split across chunks.
      const emitEnd = buffer.length - Math.min(buffer.length, END_MARKER.length - 1);
      if (emitEnd > start) {
        pending = buffer.subarray(emitEnd);
        virtualNewline = false;
        yield buffer.subarray(start, emitEnd);
      } else {
        pending = buffer;
      }
    }
  }

  private async peek(bytes: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let length = 0;
    while (length < bytes) {
      const chunk = await this.source.next();
      if (chunk === undefined) break;
      parts.push(chunk);
      length += chunk.length;
    }
    const head = Buffer.concat(parts);
    this.source.unshift(head);
    return head.subarray(0, bytes);
  }
}

function decodeLine(parts: Buffer[]): string {
  const text = Buffer.concat(parts).toString('utf8');
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
