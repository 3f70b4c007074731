import type { SourceKind } from '../model/source.js';

/** What a file name alone suggests (first pass). Content sniffing overrides it when conclusive. */
export interface NameHint {
  kind: SourceKind;
  format?: string;
  /** For Flink logs: which JVM the name points at. */
  component?: 'jobmanager' | 'taskmanager' | 'other';
  /** Human-readable, e.g. "name 'taskmanager.log' (YARN)". */
  reason: string;
}

interface NameRule {
  pattern: RegExp;
  hint: Omit<NameHint, 'reason'>;
  /** Where names like this come from, shown in the reason. */
  origin: string;
}

// Names from flink-formats §1.2: YARN container files, flink-daemon.sh / flink-console.sh, Kubernetes services.
const FLINK_LOG_SUFFIX = String.raw`\.log(?:\.\d+)?$`;
const RULES: readonly NameRule[] = [
  { pattern: new RegExp(`^jobmanager${FLINK_LOG_SUFFIX}`), hint: { kind: 'flink-jm-log', component: 'jobmanager' }, origin: 'YARN' },
  { pattern: new RegExp(`^taskmanager${FLINK_LOG_SUFFIX}`), hint: { kind: 'flink-tm-log', component: 'taskmanager' }, origin: 'YARN' },
  {
    pattern: new RegExp(`(?:^|[-_.])(?:standalonesession|standalonejob|kubernetes-session|kubernetes-application|jobmanager)[-_.].*${FLINK_LOG_SUFFIX}`),
    hint: { kind: 'flink-jm-log', component: 'jobmanager' },
    origin: 'Flink daemon / container',
  },
  {
    pattern: new RegExp(`(?:^|[-_.])(?:taskexecutor|kubernetes-taskmanager|taskmanager)[-_.].*${FLINK_LOG_SUFFIX}`),
    hint: { kind: 'flink-tm-log', component: 'taskmanager' },
    origin: 'Flink daemon / container',
  },
  {
    pattern: new RegExp(`^flink-.*-(?:historyserver|sql-gateway|client|zookeeper)-.*${FLINK_LOG_SUFFIX}`),
    hint: { kind: 'flink-log', component: 'other' },
    origin: 'Flink daemon',
  },
  { pattern: /\.jfr$/, hint: { kind: 'flame', format: 'jfr' }, origin: 'Java Flight Recorder' },
  { pattern: /\.(?:collapsed|folded)(?:\.txt)?$/, hint: { kind: 'flame', format: 'collapsed' }, origin: 'folded stacks' },
  { pattern: /\.speedscope\.json$/, hint: { kind: 'flame', format: 'speedscope' }, origin: 'speedscope' },
  { pattern: /\.cpuprofile$/, hint: { kind: 'flame', format: 'cpuprofile' }, origin: 'Chrome/V8' },
  { pattern: /flame-?graph.*\.json$/, hint: { kind: 'flame', format: 'flink-flamegraph-json' }, origin: 'Flink REST flame graph' },
  { pattern: /(?:flame|_(?:itimer|cpu|lock|wall|alloc)_).*\.html?$/, hint: { kind: 'flame', format: 'async-profiler-html' }, origin: 'async-profiler' },
  { pattern: /^checkpoints\.json$/, hint: { kind: 'rest-json', format: 'rest:checkpoints' }, origin: 'REST dump' },
  { pattern: /^(?:checkpoint-?)?config\.json$/, hint: { kind: 'rest-json', format: 'rest:checkpoint-config' }, origin: 'REST dump' },
  { pattern: /backpressure.*\.json$/, hint: { kind: 'rest-json', format: 'rest:backpressure' }, origin: 'REST dump' },
  { pattern: /exceptions.*\.json$/, hint: { kind: 'rest-json', format: 'rest:exceptions' }, origin: 'REST dump' },
  { pattern: /(?:^|[^a-z])(?:prometheus|metrics)[^/]*\.(?:txt|prom)$|\.prom$/, hint: { kind: 'metrics', format: 'prometheus' }, origin: 'metrics dump' },
  { pattern: /(?:^|[^a-z])(?:gc|verbosegc)(?:[^a-z]|$)/, hint: { kind: 'gc-log' }, origin: 'GC log' },
];

export function hintFromName(name: string): NameHint | undefined {
  const lower = name.toLowerCase();
  for (const rule of RULES) {
    if (rule.pattern.test(lower)) return { ...rule.hint, reason: `name '${name}' (${rule.origin})` };
  }
  return undefined;
}
