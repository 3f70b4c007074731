import type { SourceKind } from '../model/source.js';

/**
 * JSON and markup shapes. The head may cut a JSON document anywhere, so keys are matched with regexes on the
 * text instead of JSON.parse (flink-formats §3, flame-formats §1.7–§1.11).
 */
export interface ShapeVerdict {
  kind: SourceKind;
  format: string;
  reason: string;
  conclusive: boolean;
}

interface JsonShape {
  format: string;
  kind: SourceKind;
  /** All of these keys must appear in the head. */
  keys: readonly string[];
  /** And at least one of these, when given. */
  anyOf?: readonly string[];
  /** None of these may appear (a richer shape that contains this one). */
  without?: readonly string[];
  what: string;
}

// Order matters: shapes that contain the keys of another come first.
const JSON_SHAPES: readonly JsonShape[] = [
  { format: 'flink-flamegraph-json', kind: 'flame', keys: ['endTimestamp', 'data'], what: 'REST /jobs/:jid/vertices/:vid/flamegraph' },
  { format: 'rest:checkpoints', kind: 'rest-json', keys: ['counts', 'summary', 'latest', 'history'], what: 'REST /jobs/:jid/checkpoints' },
  {
    format: 'rest:checkpoint-config',
    kind: 'rest-json',
    keys: ['mode', 'interval', 'timeout'],
    anyOf: ['min_pause', 'max_concurrent', 'externalization'],
    what: 'REST /jobs/:jid/checkpoints/config',
  },
  {
    format: 'rest:backpressure',
    kind: 'rest-json',
    keys: ['subtasks'],
    anyOf: ['backpressureLevel', 'backpressure-level'],
    what: 'REST /jobs/:jid/vertices/:vid/backpressure',
  },
  {
    format: 'rest:checkpoint-subtasks',
    kind: 'rest-json',
    keys: ['subtasks', 'index'],
    anyOf: ['ack_timestamp', 'checkpoint_duration', 'start_delay', 'pending_or_failed'],
    what: 'REST /jobs/:jid/checkpoints/details/:cid/subtasks/:vid',
  },
  {
    format: 'rest:checkpoint-details',
    kind: 'rest-json',
    keys: ['id', 'status', 'tasks'],
    anyOf: ['num_acknowledged_subtasks', 'trigger_timestamp', 'latest_ack_timestamp'],
    without: ['history', 'counts'],
    what: 'REST /jobs/:jid/checkpoints/details/:cid',
  },
  { format: 'rest:exceptions', kind: 'rest-json', keys: [], anyOf: ['root-exception', 'all-exceptions', 'exceptionHistory'], what: 'REST /jobs/:jid/exceptions' },
  { format: 'rest:job', kind: 'rest-json', keys: ['jid', 'vertices'], what: 'REST /jobs/:jid' },
  { format: 'cpuprofile', kind: 'flame', keys: ['nodes', 'callFrame'], anyOf: ['samples', 'timeDeltas'], what: 'Chrome/V8 .cpuprofile' },
  { format: 'gecko', kind: 'flame', keys: ['meta', 'threads'], what: 'Gecko / Firefox Profiler' },
];

const KEY = /"((?:[^"\\\n]|\\.){1,80})"\s*:/g;
const MAX_KEYS = 2000;

export function sniffJson(text: string): ShapeVerdict {
  const keys = new Set<string>();
  const ordered: string[] = [];
  KEY.lastIndex = 0;
  for (let match = KEY.exec(text); match !== null && ordered.length < MAX_KEYS; match = KEY.exec(text)) {
    if (!keys.has(match[1])) {
      keys.add(match[1]);
      ordered.push(match[1]);
    }
  }
  if (keys.has('$schema') && /"\$schema"\s*:\s*"[^"]*speedscope/.test(text)) {
    return { kind: 'flame', format: 'speedscope', reason: 'JSON with $schema speedscope.app/file-format-schema.json (speedscope)', conclusive: true };
  }
  if (keys.has('shared') && keys.has('profiles') && keys.has('frames')) {
    return { kind: 'flame', format: 'speedscope', reason: 'JSON with keys shared/frames/profiles (speedscope)', conclusive: true };
  }
  if (/"pending_or_failed"/.test(text)) keys.add('pending_or_failed');
  for (const shape of JSON_SHAPES) {
    if (!shape.keys.every((key) => keys.has(key))) continue;
    const extra = shape.anyOf?.find((key) => keys.has(key));
    if (shape.anyOf !== undefined && extra === undefined) continue;
    if (shape.without?.some((key) => keys.has(key)) === true) continue;
    const shown = [...shape.keys, ...(extra === undefined ? [] : [extra])].join('/');
    return { kind: shape.kind, format: shape.format, reason: `JSON with keys ${shown} (${shape.what})`, conclusive: true };
  }
  if (keys.has('name') && keys.has('value') && keys.has('children')) return sniffHierarchy(text);
  const shown = ordered.slice(0, 5).join('/');
  return {
    kind: 'unknown',
    format: 'json',
    reason: ordered.length === 0 ? 'JSON without object keys: not a known REST or profile shape' : `JSON with keys ${shown}: not a known REST or profile shape`,
    conclusive: false,
  };
}

// Flink's REST flame graph names frames 'class.method:line' under a root called 'root' (flink-formats §3.5).
const FLINK_FRAME = /"name"\s*:\s*"[\w$]+(?:\.[\w$<>]+)+:-?\d+"/;
const ROOT_NAME = /"name"\s*:\s*"root"/;

function sniffHierarchy(text: string): ShapeVerdict {
  const frame = FLINK_FRAME.exec(text);
  if (frame !== null && ROOT_NAME.test(text)) {
    return {
      kind: 'flame',
      format: 'flink-flamegraph-json',
      reason: `JSON tree of name/value/children with root 'root' and Flink frame names like ${frame[0].replace(/^"name"\s*:\s*/, '')} (the data of a Flink REST flame graph)`,
      conclusive: true,
    };
  }
  return { kind: 'flame', format: 'd3-flamegraph-json', reason: 'JSON tree of name/value/children (d3-flame-graph hierarchy)', conclusive: true };
}

export function sniffMarkup(text: string): ShapeVerdict {
  const verbose = /<verbosegc\b[^>]{0,200}>/.exec(text);
  if (verbose !== null) {
    return { kind: 'gc-log', format: 'openj9-xml', reason: `OpenJ9 / IBM J9 verbose GC XML (${clip(verbose[0], 90)})`, conclusive: true };
  }
  if (/^const cpool = \[/m.test(text)) {
    return { kind: 'flame', format: 'async-profiler-html', reason: `async-profiler HTML flame graph, Format B (const cpool table)${title(text)}`, conclusive: true };
  }
  if (/^f\(\d+,\d+,\d+,\d+,'/m.test(text)) {
    return { kind: 'flame', format: 'async-profiler-html', reason: `async-profiler HTML flame graph, Format A (f(level,left,width,type,'title') records)${title(text)}`, conclusive: true };
  }
  if (/<ul class=['"]tree['"]/.test(text)) {
    return { kind: 'flame', format: 'async-profiler-tree', reason: 'async-profiler tree view HTML (<ul class="tree">)', conclusive: true };
  }
  if (/<svg[\s>]/i.test(text) && /<title>[^<]{0,500}\(\d[\d,]* samples?, [\d.]+%\)<\/title>/.test(text)) {
    return { kind: 'flame', format: 'flamegraph-svg', reason: "flamegraph.pl SVG (<title>… (N samples, P%)</title> frames)", conclusive: true };
  }
  return { kind: 'unknown', format: /<html[\s>]/i.test(text) ? 'html' : 'xml', reason: 'HTML/XML without flame graph data or GC records', conclusive: false };
}

function title(text: string): string {
  const h1 = /<h1>([^<]{1,80})<\/h1>/.exec(text);
  return h1 === null ? '' : `, title '${h1[1]}'`;
}

export function clip(text: string, max: number): string {
  const trimmed = text.trim();
  return trimmed.length <= max ? trimmed : `${trimmed.slice(0, max)}…`;
}
