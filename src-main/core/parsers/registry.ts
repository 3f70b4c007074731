import type { Detection } from '../model/source.js';
import { createFlinkLogParser, flinkLogParts } from './flink-log/index.js';
import { createGcLogParser } from './gc/index.js';
import { parseFlame } from './flame/index.js';
import { parseRestJson } from './rest/index.js';
import { createMetricsParser } from './metrics/index.js';
import { createPlainLogParser } from './text/plain-log.js';
import type { BufferParser, PartJoin, TextParserFactory } from './types.js';

/** `parts`: the format can be read in parts side by side (a large file). */
export type ParserChoice = { type: 'text'; create: TextParserFactory; parts?: PartJoin<unknown> } | { type: 'buffer'; parse: BufferParser };

/** Which parser reads a detected source; undefined = list the file without parsing (unknown, binary). */
export function parserFor(detection: Detection): ParserChoice | undefined {
  switch (detection.kind) {
    case 'flink-jm-log':
    case 'flink-tm-log':
    case 'flink-log':
      return { type: 'text', create: createFlinkLogParser, parts: flinkLogParts };
    case 'gc-log':
      return { type: 'text', create: createGcLogParser };
    case 'metrics':
      return { type: 'text', create: createMetricsParser };
    case 'other-log':
      return { type: 'text', create: createPlainLogParser };
    case 'flame':
      return { type: 'buffer', parse: parseFlame };
    case 'rest-json':
      return { type: 'buffer', parse: parseRestJson };
    case 'unknown':
    case 'binary':
      return undefined;
  }
}
