import type { FlameFrame } from '../../model/records.js';
import { threadName } from './collapsed.js';
import { ASYNC_PROFILER_FRAME_TYPES, ASYNC_PROFILER_LEGACY_FRAME_TYPES } from './frame-types.js';
import { emitProfile, WarningBudget, type ImportEnv } from './importer.js';
import type { FlameMode } from './path-hints.js';
import { StackTable } from './stack-table.js';

/**
 * async-profiler HTML flame graphs (flame-formats §1.3). Two embedded layouts:
 * - Format A (2.x): one absolute `f(level,left,width,type,'title'[,inln,c1,int])` call per frame;
 * - Format B (3.x+): a prefix-compressed `const cpool = [...]` string table and compact `f/u/n(key,…)` records,
 *   with `d=` delta lines in 4.4+ differential graphs.
 * Both list frames depth-first, so a frame's parent is the last frame seen one level up; self = width − Σ children.
 */
export function importAsyncProfilerHtml(text: string, env: ImportEnv): void {
  const lines = text.split(/\r?\n/);
  const title = headerTitle(text);
  const units = /const units = '([^'\n]{0,40})'/.exec(text)?.[1];
  const differential = /const maxdiff = \d/.test(text);
  const warnings = new WarningBudget(env.sink);
  const tree = new TreeBuilder();

  const cpoolAt = lines.findIndex((line) => line.startsWith('const cpool = ['));
  let format: string;
  if (cpoolAt >= 0) {
    format = 'async-profiler-html-b';
    const { strings, next } = readCpool(lines, cpoolAt, warnings);
    readCompactFrames(lines, next, strings, tree, warnings);
  } else {
    format = 'async-profiler-html-a';
    readAbsoluteFrames(lines, legacyTypeIds(text), tree, warnings);
  }
  warnings.finish('unreadable frame lines');
  if (tree.frameCount === 0) {
    env.sink.warning({ message: 'async-profiler HTML without frame data (no f(...) records found); no profile' });
    return;
  }
  const table = tree.finish();
  const mode = env.hints.mode ?? modeFromTitle(title);
  const label = [title, differential ? 'differential (second profile)' : undefined, units !== undefined ? `units: ${units}` : undefined]
    .filter((part) => part !== undefined)
    .join(' · ');
  emitProfile(env, table, { format, mode, ...(label.length > 0 ? { title: label } : {}) });
}

function headerTitle(text: string): string | undefined {
  const match = /<h1[^>]{0,200}>([^<]{0,300})<\/h1>/.exec(text);
  return match === null ? undefined : decodeEntities(match[1]!.trim());
}

function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|#39);/g, (_m, name: string) =>
    name === 'lt' ? '<' : name === 'gt' ? '>' : name === 'amp' ? '&' : name === 'quot' ? '"' : "'",
  );
}

/** The `<h1>` default titles per mode (async-profiler `-e`). */
export function modeFromTitle(title: string | undefined): FlameMode {
  const lower = (title ?? '').toLowerCase();
  if (lower.startsWith('cpu profile')) return 'cpu';
  if (lower.startsWith('wall clock profile')) return 'wall';
  if (lower.startsWith('allocation profile') || lower.startsWith('malloc/free profile')) return 'alloc';
  if (lower.startsWith('lock profile') || lower.startsWith('native lock profile')) return 'lock';
  return 'unknown';
}

/**
 * Format A type ids changed meaning in 2.7 (heuristic 0–4 → FrameTypeId enum 0–6). The template's palette has
 * one colour per id, so its length tells which; without a palette the root `all` (native: 4 vs 3) decides.
 */
function legacyTypeIds(text: string): boolean {
  const palette = /const palette = \[([\s\S]{0,2000}?)\];/.exec(text);
  if (palette !== null) return (palette[1]!.match(/\[/g) ?? []).length <= 5;
  return /^f\(0,0,\d+,4,'all'/m.test(text);
}

class TreeBuilder {
  readonly table = new StackTable();
  frameCount = 0;
  private readonly path: FlameFrame[] = [];
  private readonly widths: number[] = [];
  private readonly childSums: number[] = [];
  private rootIsSynthetic = true;
  private thread: string | undefined;

  /** Depth of the deepest open frame + 1 (0 when empty). */
  get depth(): number {
    return this.path.length;
  }

  push(level: number, name: string, type: string | undefined, width: number): void {
    this.closeTo(level);
    if (level === 0) this.rootIsSynthetic = name === 'all';
    const frame: FlameFrame = { name };
    if (type !== undefined) frame.type = type;
    if (level === 1) {
      this.thread = threadName(name);
      if (this.thread !== undefined) frame.type = 'thread';
    }
    if (level > 0) this.childSums[level - 1]! += width;
    this.path.push(frame);
    this.widths.push(width);
    this.childSums.push(0);
    this.frameCount++;
  }

  finish(): StackTable {
    this.closeTo(0);
    return this.table;
  }

  private closeTo(level: number): void {
    while (this.path.length > level) {
      const depth = this.path.length - 1;
      const self = this.widths[depth]! - this.childSums[depth]!;
      if (self > 0) {
        const frames = this.rootIsSynthetic ? this.path.slice(1) : [...this.path];
        this.table.add(frames, self, depth >= 1 ? this.thread : undefined);
      }
      this.path.pop();
      this.widths.pop();
      this.childSums.pop();
    }
  }
}

function readAbsoluteFrames(lines: readonly string[], legacy: boolean, tree: TreeBuilder, warnings: WarningBudget): void {
  const types: readonly string[] = legacy ? ASYNC_PROFILER_LEGACY_FRAME_TYPES : ASYNC_PROFILER_FRAME_TYPES;
  lines.forEach((line, index) => {
    if (!line.startsWith('f(')) return;
    const open = line.indexOf("'");
    const close = line.lastIndexOf("'");
    const head = open > 0 ? line.slice(2, open).split(',') : [];
    // head = [level, left, width, type, ''] because the title follows a comma
    if (open <= 0 || close <= open || head.length !== 5 || head[4] !== '' || !line.endsWith(')')) {
      warnings.warn(`unreadable async-profiler frame record: ${line.slice(0, 80)}`, index + 1);
      return;
    }
    const [level, , width, type] = head.slice(0, 4).map(Number) as [number, number, number, number];
    if (![level, width, type].every(Number.isInteger) || level > tree.depth) {
      warnings.warn(`async-profiler frame record out of order or malformed: ${line.slice(0, 80)}`, index + 1);
      return;
    }
    tree.push(level, unescapeJs(line.slice(open + 1, close)), types[type], width);
  });
}

function readCpool(lines: readonly string[], start: number, warnings: WarningBudget): { strings: string[]; next: number } {
  const strings: string[] = [];
  let previous = '';
  let index = start + 1;
  // The opening line may already hold entries when a producer writes the table on one line.
  const inline = lines[start]!.slice('const cpool = ['.length);
  const pending = inline.trim().length > 0 ? [inline] : [];
  for (;;) {
    const line = pending.length > 0 ? pending.pop()! : lines[index++];
    if (line === undefined) break;
    const done = line.trimEnd().endsWith('];');
    for (const packed of quotedStrings(line)) {
      if (packed.length === 0) {
        warnings.warn('empty cpool entry', index);
        strings.push(previous);
        continue;
      }
      const reuse = strings.length === 0 ? 0 : Math.min(packed.charCodeAt(0) - 32, previous.length);
      previous = strings.length === 0 ? packed : previous.slice(0, Math.max(0, reuse)) + packed.slice(1);
      strings.push(previous);
    }
    if (done) break;
  }
  return { strings, next: index };
}

/** Single-quoted JS string literals on a line, unescaped. */
function quotedStrings(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    const open = line.indexOf("'", i);
    if (open < 0) break;
    let j = open + 1;
    while (j < line.length && line[j] !== "'") j += line[j] === '\\' ? 2 : 1;
    out.push(unescapeJs(line.slice(open + 1, Math.min(j, line.length))));
    i = j + 1;
  }
  return out;
}

function unescapeJs(text: string): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const next = text[++i]!;
    if (next === 'n') out += '\n';
    else if (next === 't') out += '\t';
    else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 5), 16));
      i += 4;
    } else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out += next;
  }
  return out;
}

const COMPACT_RECORD = /^([fun])\((-?\d+(?:,-?\d+)*)\)$/;

function readCompactFrames(lines: readonly string[], from: number, strings: readonly string[], tree: TreeBuilder, warnings: WarningBudget): void {
  let level = 0;
  let width = 0;
  for (let index = from; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.startsWith('d=')) continue; // differential delta of the next frame: the widths are the new profile
    const match = COMPACT_RECORD.exec(line);
    if (match === null) continue;
    const args = match[2]!.split(',').map(Number);
    const key = args[0]!;
    let rest: number[];
    if (match[1] === 'f') {
      if (args.length < 3) {
        warnings.warn(`f() record without level and offset: ${line}`, index + 1);
        continue;
      }
      level = args[1]!;
      rest = args.slice(3);
    } else {
      if (match[1] === 'u') level++;
      rest = args.slice(1);
    }
    if (rest.length > 0) width = rest[0]!;
    const name = strings[key >>> 3];
    if (name === undefined || level > tree.depth || level < 0) {
      warnings.warn(`frame record refers to a missing string or level: ${line}`, index + 1);
      continue;
    }
    tree.push(level, name, ASYNC_PROFILER_FRAME_TYPES[key & 7], width);
  }
}
