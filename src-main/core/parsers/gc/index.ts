import type { Level } from '../../model/records.js';
import type { TextParser, TextParserFactory } from '../types.js';
import { J9GcFormat } from './j9.js';
import { LegacyGcFormat } from './legacy.js';
import { GcSession } from './session.js';
import { UL_FIRST_DECORATOR, UnifiedGcFormat } from './unified.js';

/**
 * JVM GC logs → one GcEventRecord per pause, concurrent phase, cycle, safepoint and allocation stall.
 *
 * The format is told from the content (first non-blank line), never from the file name or the JVM flags: a JDK 11
 * started with `-Xloggc` still writes Unified Logging. Conventions shared by all formats (see session.ts):
 * - `start` is when the event began on the incident axis (UL and safepoint lines are stamped at their end and are
 *   shifted back by their duration); `uptimeUs` is the JVM uptime at that start, so a later JVM-start anchor
 *   gives `start = jvmStart + uptimeUs`;
 * - nested pauses are folded into their enclosing pause (legacy.ts, unified.ts), so summing `pause` events
 *   gives the real stop time; safepoint totals are their own class and never summed with pauses;
 * - statistics blocks (Shenandoah `gc,stats`, `GC STATISTICS`, heap-at-GC tables) are not events.
 */

interface GcFormat {
  line(text: string, lineNo: number): void;
  end(): void;
}

function chooseFormat(firstLine: string, session: GcSession): GcFormat {
  const trimmed = firstLine.trimStart();
  if (trimmed.startsWith('<?xml') || trimmed.startsWith('<verbosegc')) return new J9GcFormat(session);
  if (UL_FIRST_DECORATOR.test(trimmed)) return new UnifiedGcFormat(session);
  return new LegacyGcFormat(session);
}

export const createGcLogParser: TextParserFactory = (ctx) => {
  const session = new GcSession(ctx);
  let format: GcFormat | undefined;
  const parser: TextParser = {
    get currentTs(): number {
      return session.currentTs;
    },
    get currentLevel(): Level {
      return session.currentLevel;
    },
    get currentIsContinuation(): boolean {
      return session.currentIsContinuation;
    },
    line(text: string, lineNo: number): void {
      if (format === undefined) {
        if (text.trim() === '') return;
        format = chooseFormat(text, session);
      }
      try {
        format.line(text, lineNo);
      } catch (error) {
        // A parser bug must cost one line, not the whole source.
        session.warn('internal', lineNo, `GC parser failed on line ${lineNo}: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    end(): void {
      if (format === undefined) {
        ctx.sink.warning({ message: `${ctx.path}: empty GC log` });
        return;
      }
      format.end();
      if (session.events === 0) session.warn('no-events', undefined, `${ctx.path}: no GC events recognised`);
      session.finish();
    },
  };
  return parser;
};
