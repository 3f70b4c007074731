import type { FlameFrame } from '../../model/records.js';
import { frameFromAnnotated } from './frame-types.js';
import { emitProfile, WarningBudget, type ImportEnv } from './importer.js';
import { StackTable } from './stack-table.js';

interface CollapsedLine {
  frames: string;
  count: number;
  /** When the line ends in two counts (difffolded: before, after), the frames without the first count. */
  diff?: { frames: string; before: number };
}

const COUNT = /^\d{1,18}$/;

/**
 * Brendan Gregg collapsed / folded stacks (flame-formats §1.1): `frame;frame;… <count>`, split on the LAST
 * space because frames contain spaces. Comment lines (`#`, `//`) are skipped, invalid lines warned about.
 * A file whose every line ends in two counts is difffolded output and yields a before and an after profile.
 */
export function importCollapsed(text: string, env: ImportEnv): void {
  const warnings = new WarningBudget(env.sink);
  const parsed: CollapsedLine[] = [];
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end).trimEnd();
    start = end + 1;
    if (line.length === 0 || line.startsWith('#') || line.startsWith('//')) continue;
    const entry = splitLine(line);
    if (entry === undefined) warnings.warn(`not a collapsed stack line (expected "frame;frame;… <count>"): ${preview(line)}`, lineNo);
    else parsed.push(entry);
  }
  warnings.finish('invalid lines');

  const differential = parsed.length > 0 && parsed.every((p) => p.diff !== undefined);
  const mode = env.hints.mode ?? 'unknown';
  if (!differential) {
    const table = new StackTable();
    for (const entry of parsed) addStack(table, entry.frames, entry.count);
    if (parsed.length === 0) {
      env.sink.warning({ message: 'no collapsed stack lines found; no profile' });
      return;
    }
    emitProfile(env, table, { format: 'collapsed', mode });
    return;
  }
  const before = new StackTable();
  const after = new StackTable();
  for (const entry of parsed) {
    const diff = entry.diff!;
    if (diff.before > 0) addStack(before, diff.frames, diff.before);
    if (entry.count > 0) addStack(after, diff.frames, entry.count);
  }
  emitProfile(env, before, { format: 'collapsed-diff', mode, title: 'before (first count column)' });
  emitProfile(env, after, { format: 'collapsed-diff', mode, title: 'after (second count column)' });
}

function splitLine(line: string): CollapsedLine | undefined {
  const last = lastBlank(line, line.length);
  if (last <= 0) return undefined;
  const count = line.slice(last + 1);
  if (!COUNT.test(count)) return undefined;
  const frames = line.slice(0, last).trimEnd();
  if (frames.length === 0) return undefined;
  const entry: CollapsedLine = { frames, count: Number(count) };
  const previous = lastBlank(line, last);
  const first = line.slice(previous + 1, last);
  if (previous > 0 && COUNT.test(first)) entry.diff = { frames: line.slice(0, previous), before: Number(first) };
  return entry;
}

function lastBlank(line: string, before: number): number {
  return Math.max(line.lastIndexOf(' ', before - 1), line.lastIndexOf('\t', before - 1));
}

function addStack(table: StackTable, framesText: string, weight: number): void {
  const frames: FlameFrame[] = [];
  let thread: string | undefined;
  for (const part of framesText.split(';')) {
    if (part.length === 0) continue;
    if (frames.length === 0 && thread === undefined) {
      const name = threadName(part);
      if (name !== undefined) {
        thread = name;
        frames.push({ name: part, type: 'thread' });
        continue;
      }
    }
    frames.push(frameFromAnnotated(part));
  }
  table.add(frames, weight, thread);
}

/** async-profiler `-t` thread frames: `[<name> tid=<n>]` or `[tid=<n>]` (jfrconv's `\[(.* )?tid=\d+]`). */
export function threadName(frame: string): string | undefined {
  if (!frame.startsWith('[') || !frame.endsWith(']')) return undefined;
  const inner = frame.slice(1, -1);
  const at = inner.lastIndexOf('tid=');
  if (at < 0 || (at > 0 && inner[at - 1] !== ' ') || !/^\d+$/.test(inner.slice(at + 4))) return undefined;
  return at === 0 ? inner : inner.slice(0, at - 1);
}

function preview(line: string): string {
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
