import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import type { BufferParser, ParseContext } from '../types.js';
import { importAsyncProfilerHtml } from './async-profiler-html.js';
import { importCollapsed } from './collapsed.js';
import { importD3Hierarchy, importFlinkFlameGraph, isObject } from './hierarchy.js';
import type { ImportEnv } from './importer.js';
import { importJfr } from './jfr/index.js';
import { hintsFromPath } from './path-hints.js';
import { importSpeedscope } from './speedscope.js';

/**
 * Flame graph inputs (flame-formats §1): picks the importer by content. The detected format is only a hint, used
 * where content alone cannot tell (a bare name/value/children tree saved from Flink's REST API).
 */
export const parseFlame: BufferParser = (input, ctx) => {
  const env: ImportEnv = { sink: ctx.sink, hints: hintsFromPath(ctx.path, ctx.clock) };
  const data = gunzipIfNeeded(input, ctx);
  if (data === undefined) return;
  if (data.length === 0) {
    ctx.sink.warning({ message: 'empty flame graph file; no profile' });
    return;
  }
  if (data.length >= 4 && data.readUInt32BE(0) === 0x464c5200) {
    importJfr(data, env);
    return;
  }
  const text = decodeText(data);
  if (text === undefined) {
    ctx.sink.warning({ message: `binary data that is neither JFR nor gzip (pprof protobuf?): flame format not supported` });
    return;
  }
  const start = text.search(/\S/);
  if (start < 0) {
    ctx.sink.warning({ message: 'flame graph file holds only white space; no profile' });
    return;
  }
  const first = text[start];
  // '[' also opens collapsed lines that begin with a thread frame ('[main tid=1];…'), so look one token further.
  if (first === '{' || (first === '[' && /^\[\s*[[{"\]\d-]/.test(text.slice(start, start + 64)))) importJson(text, env, ctx);
  else if (first === '<') importMarkup(text, env);
  else importPlainText(text, env);
};

function gunzipIfNeeded(data: Buffer, ctx: ParseContext): Buffer | undefined {
  if (data.length < 2 || data[0] !== 0x1f || data[1] !== 0x8b) return data;
  try {
    return gunzipSync(data);
  } catch {
    // A truncated gzip still inflates up to the cut with a sync flush: keep what is there.
    try {
      const partial = gunzipSync(data, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
      ctx.sink.warning({ message: `gzip stream is truncated or damaged; read the first ${partial.length} decompressed bytes` });
      return partial;
    } catch (error) {
      ctx.sink.warning({ message: `gzip stream unreadable (${error instanceof Error ? error.message : String(error)}); no profile` });
      return undefined;
    }
  }
}

/** UTF-8 (with or without BOM) or UTF-16 with BOM; undefined for binary data. */
function decodeText(data: Buffer): string | undefined {
  if (data.length >= 2 && data[0] === 0xff && data[1] === 0xfe) return data.subarray(2).toString('utf16le');
  if (data.length >= 2 && data[0] === 0xfe && data[1] === 0xff) {
    const swapped = Buffer.from(data.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  const head = data.subarray(0, Math.min(data.length, 4096));
  if (head.includes(0)) return undefined;
  const text = data.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function importJson(text: string, env: ImportEnv, ctx: ParseContext): void {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const line = position === null ? undefined : lineAt(text, Number(position[1]));
    ctx.sink.warning({ ...(line === undefined ? {} : { line }), message: `flame graph JSON unreadable (truncated?): ${message}; no profile` });
    return;
  }
  if (!isObject(json)) {
    ctx.sink.warning({ message: 'flame graph JSON is not an object (Chrome trace event array?): not supported' });
    return;
  }
  const schema = json['$schema'];
  if ((typeof schema === 'string' && schema.includes('speedscope')) || (isObject(json['shared']) && Array.isArray(json['profiles']))) {
    importSpeedscope(json, env);
  } else if ('endTimestamp' in json) {
    importFlinkFlameGraph(json, env);
  } else if (Array.isArray(json['nodes']) && (Array.isArray(json['samples']) || 'startTime' in json)) {
    ctx.sink.warning({ message: 'Chrome/V8 .cpuprofile is not a supported flame format (no JVM frames)' });
  } else if (isObject(json['head']) && 'startTime' in json) {
    ctx.sink.warning({ message: 'legacy Node .cpuprofile is not a supported flame format' });
  } else if (isObject(json['meta']) && Array.isArray(json['threads'])) {
    ctx.sink.warning({ message: 'Gecko / Firefox Profiler JSON is not a supported flame format' });
  } else if ('name' in json && ('value' in json || 'children' in json)) {
    importD3Hierarchy(json, env, isFlinkHint(ctx));
  } else {
    ctx.sink.warning({ message: `JSON with keys ${Object.keys(json).slice(0, 6).join(', ')} is not a known flame graph format` });
  }
}

/** A saved `data` object of a Flink REST flame graph has no endTimestamp, only the path or detection says Flink. */
function isFlinkHint(ctx: ParseContext): boolean {
  return /flink/i.test(ctx.detection.format) && !/d3/i.test(ctx.detection.format);
}

function importMarkup(text: string, env: ImportEnv): void {
  if (/^const cpool = \[/m.test(text) || /^f\(\d+,\d+,\d+,\d+,'/m.test(text)) {
    importAsyncProfilerHtml(text, env);
  } else if (/<svg[\s>]/i.test(text.slice(0, 4096))) {
    env.sink.warning({ message: 'flamegraph.pl / async-profiler 1.x SVG is not supported; export collapsed stacks or HTML instead' });
  } else if (text.includes('class="tree"') || text.includes("class='tree'")) {
    env.sink.warning({ message: 'async-profiler tree view (-o tree) is not supported; it holds fewer numbers than the flame graph HTML' });
  } else {
    env.sink.warning({ message: 'HTML/XML without async-profiler flame graph data (no cpool table, no f(...) records); no profile' });
  }
}

function importPlainText(text: string, env: ImportEnv): void {
  const head = text.slice(0, 65536);
  if (/^\s*Full thread dump /m.test(head)) {
    env.sink.warning({ message: 'jstack thread dumps are not a supported flame format; collapse them with stackcollapse-jstack.pl first' });
  } else if (/ \d+\.\d{6}: /.test(head) && /^\s+[0-9a-f]{4,16} \S/m.test(head)) {
    env.sink.warning({ message: 'raw perf script output is not supported; collapse it with stackcollapse-perf.pl first' });
  } else {
    importCollapsed(text, env);
  }
}

function lineAt(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
