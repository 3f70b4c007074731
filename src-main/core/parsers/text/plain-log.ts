import { Level, levelFromName } from '../../model/records.js';
import type { TextParser, TextParserFactory } from '../types.js';

/**
 * Logs that are not Flink's (sidecars, ZooKeeper, YARN NodeManager, kubectl output): only the line index is
 * built. A leading ISO-like timestamp ("2023-06-14 09:12:40,117", "2023-06-14T09:12:40.117Z") and a level word
 * are recognised; everything else inherits the previous record's time.
 */
const STAMP = /^\[?(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?\]?\s+(?:\[[^\]]*\]\s+)?(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)?/;

export const createPlainLogParser: TextParserFactory = (ctx) => {
  const parser: TextParser & { currentTs: number; currentLevel: Level; currentIsContinuation: boolean } = {
    currentTs: Number.NaN,
    currentLevel: Level.None,
    currentIsContinuation: false,
    line(text: string) {
      const c = text.charCodeAt(0);
      const m = (c >= 48 && c <= 57) || c === 91 ? STAMP.exec(text) : null;
      if (m === null) {
        parser.currentIsContinuation = !Number.isNaN(parser.currentTs);
        return;
      }
      const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
      const fields = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), millis] as const;
      if (m[8] !== undefined) {
        const zone = m[8] === 'Z' ? 0 : (m[8][0] === '-' ? -1 : 1) * (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(-2)));
        parser.currentTs = (Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5], millis) - zone * 60_000) * 1000;
      } else {
        parser.currentTs = ctx.clock.toUtc(...fields);
      }
      parser.currentLevel = m[9] === undefined ? Level.None : levelFromName(m[9]);
      parser.currentIsContinuation = false;
    },
    end() {},
  };
  return parser;
};
