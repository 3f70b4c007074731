import type { Db } from '../database.js';
import { decodeBlock, decompressBlob, type DecodedLine } from '../log-blocks.js';

/**
 * The merged log view: every source's records in one time order, read a page at a time straight from the
 * compressed `log_block` rows. Blocks whose time range or level counts cannot match are never inflated, so a
 * page near any moment of a 10 M-line incident costs a handful of blocks. A text search cannot skip blocks;
 * it stops after a time budget and says so (`partial`) instead of holding the server for seconds.
 */

export const LEVEL_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LevelName = (typeof LEVEL_NAMES)[number];

/** Position in the merged log: time, then source, then line. */
export interface LogCursor {
  ts: number;
  sourceId: number;
  line: number;
}

export interface LogQuery {
  from?: number;
  to?: number;
  levels?: LevelName[];
  sourceIds?: number[];
  tms?: string[];
  /** Case-insensitive substring of the record (its first line and folded stack trace). */
  text?: string;
  /** Exclusive position to page from; the range start (or end, backwards) when absent. */
  cursor?: LogCursor;
  direction?: 'forward' | 'backward';
  limit: number;
  /** Centre the page on this moment or line (half before, half after); cursor and direction are ignored. */
  around?: { ts: number } | { sourceId: number; line: number };
}

export interface LogRecord {
  sourceId: number;
  line: number;
  ts: number;
  level: LevelName | null;
  text: string;
  /** Continuation lines (a stack trace) folded under the record. */
  more: string[];
  /** Kind of the catalogue template this record matched, when it is a recognised event. */
  event?: string;
}

export interface LogPage {
  records: LogRecord[];
  /** Where to continue in each direction; null when nothing more can exist that way. */
  before: LogCursor | null;
  after: LogCursor | null;
  /** A text search hit its scan budget: the page may be short; continue from `after`. */
  partial: boolean;
  /** Index in `records` of the record `around` pointed at. */
  anchorIndex: number | null;
  sources: Array<{ id: number; path: string; tm: string | null }>;
}

/** How long one call of a text search may scan before it returns what it found (and where to continue). */
const TEXT_SCAN_BUDGET_MS = 400;
const FAR = Number.MAX_SAFE_INTEGER;

interface BlockRow {
  source_id: number;
  block_no: number;
  first_line: number;
  line_count: number;
  ts_min_us: number;
  ts_max_us: number;
  codec: string;
  line_index: Buffer;
  text: Buffer;
}

/** What a block holds, without its text: enough to decide whether to read it. */
export interface BlockSummary {
  sourceId: number;
  blockNo: number;
  firstLine: number;
  lineCount: number;
  tsMin: number;
  tsMax: number;
  /** trace, debug, info, warn, error record counts. */
  levels: [number, number, number, number, number];
}

/**
 * Per connection, valid until another connection commits (PRAGMA data_version changes then): every timed
 * block's summary, and the most recently decoded blocks (consecutive pages and overlapping volume queries read
 * the same few blocks again: each TaskManager's block spans seconds, a page of the merged log a fraction of one).
 */
interface BlockCache {
  dataVersion: number;
  summaries: BlockSummary[] | null;
  /** `sourceId:blockNo` → decoded lines, in least-recently-used order (Map keeps insertion order). */
  decoded: Map<string, DecodedLine[]>;
  /** `sourceId:blockNo` → inflated line index (the volume histogram reads only this), least recently used first. */
  lineIndexes: Map<string, Buffer>;
}
const blockCaches = new WeakMap<Db, BlockCache>();
/** About 64 × 2048 lines of text: a few tens of MB at most, enough for every source's block around a position. */
const MAX_DECODED_BLOCKS = 64;

function blockCache(db: Db): BlockCache {
  const dataVersion = db.pragma('data_version', { simple: true }) as number;
  const cached = blockCaches.get(db);
  if (cached !== undefined && cached.dataVersion === dataVersion) return cached;
  const fresh: BlockCache = { dataVersion, summaries: null, decoded: new Map(), lineIndexes: new Map() };
  blockCaches.set(db, fresh);
  return fresh;
}

/**
 * Every timed block's summary, in time order, read once per connection and data version. A plain scan reads only
 * the rows' leading columns (the compressed blobs come last, mostly on overflow pages): as fast as a covering
 * index would be, since building the objects dominates.
 */
export function blockSummaries(db: Db): BlockSummary[] {
  const cache = blockCache(db);
  if (cache.summaries !== null) return cache.summaries;
  const rows = db
    .prepare(`SELECT source_id, block_no, first_line, line_count, ts_min_us, ts_max_us, n_trace, n_debug, n_info, n_warn, n_error
      FROM log_block NOT INDEXED WHERE ts_min_us IS NOT NULL`)
    .raw()
    .all() as number[][];
  const blocks = rows.map((r): BlockSummary => ({
    sourceId: r[0]!, blockNo: r[1]!, firstLine: r[2]!, lineCount: r[3]!, tsMin: r[4]!, tsMax: r[5]!,
    levels: [r[6]!, r[7]!, r[8]!, r[9]!, r[10]!],
  }));
  blocks.sort((a, b) => a.tsMin - b.tsMin);
  cache.summaries = blocks;
  return blocks;
}

/** Inflated line indexes of this many blocks (about 10 KB each) are kept. */
const MAX_LINE_INDEXES = 1024;

/** A block's inflated line index (layout in log-blocks.ts), kept among the recently used; callers must not change it. */
export function blockLineIndex(db: Db, sourceId: number, blockNo: number): Buffer {
  return recentlyUsed(blockCache(db).lineIndexes, `${sourceId}:${blockNo}`, MAX_LINE_INDEXES, () => {
    const row = db.prepare('SELECT codec, line_index FROM log_block WHERE source_id = ? AND block_no = ?').get(sourceId, blockNo) as { codec: string; line_index: Buffer };
    return decompressBlob(row.codec, row.line_index);
  });
}

/** A block's lines, decoded once and kept among the recently used; callers must not change the array or its lines. */
function decodedBlock(db: Db, sourceId: number, blockNo: number): DecodedLine[] {
  return recentlyUsed(blockCache(db).decoded, `${sourceId}:${blockNo}`, MAX_DECODED_BLOCKS, () =>
    decodeBlock(db.prepare('SELECT * FROM log_block WHERE source_id = ? AND block_no = ?').get(sourceId, blockNo) as BlockRow));
}

/** `cache[key]`, loaded on a miss; the map is kept in use order and holds at most `max` entries. */
function recentlyUsed<T>(cache: Map<string, T>, key: string, max: number, load: () => T): T {
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const value = load();
  if (cache.size >= max) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

export function compareCursor(a: LogCursor, b: LogCursor): number {
  return a.ts - b.ts || a.sourceId - b.sourceId || a.line - b.line;
}

const keyOf = (r: LogRecord): LogCursor => ({ ts: r.ts, sourceId: r.sourceId, line: r.line });

function levelName(level: number): LevelName | null {
  if (level <= 0) return null;
  return LEVEL_NAMES[Math.min(level, 5) - 1]!;
}

interface Filter {
  sourceIds: number[] | null;
  levels: Set<LevelName> | null;
  needle: string | null;
  from: number;
  to: number;
}

function resolveFilter(db: Db, q: LogQuery): Filter {
  let sourceIds: number[] | null = q.sourceIds !== undefined ? [...q.sourceIds] : null;
  if (q.tms !== undefined) {
    const placeholders = q.tms.map(() => '?').join(',');
    const tmSources = q.tms.length === 0 ? [] : (db.prepare(`SELECT id FROM source WHERE tm_id IN (${placeholders})`).all(...q.tms) as Array<{ id: number }>).map((r) => r.id);
    sourceIds = sourceIds === null ? tmSources : sourceIds.filter((id) => tmSources.includes(id));
  }
  return {
    sourceIds,
    levels: q.levels !== undefined ? new Set(q.levels) : null,
    needle: q.text !== undefined && q.text.trim() !== '' ? q.text.toLowerCase() : null,
    from: q.from ?? -FAR,
    to: q.to ?? FAR,
  };
}

function blockFilter(filter: Filter): (b: BlockSummary) => boolean {
  const sources = filter.sourceIds === null ? null : new Set(filter.sourceIds);
  const levelIndexes = filter.levels === null ? null : LEVEL_NAMES.map((name, i) => (filter.levels!.has(name) ? i : -1)).filter((i) => i >= 0);
  return (b) =>
    (sources === null || sources.has(b.sourceId)) && (levelIndexes === null || levelIndexes.some((i) => b.levels[i]! > 0));
}

/** Groups a block's lines into records; leading continuation lines belong to a record begun in an earlier block. */
function recordsOf(sourceId: number, lines: DecodedLine[], blockTs: number): { orphans: string[]; records: LogRecord[] } {
  const orphans: string[] = [];
  const records: LogRecord[] = [];
  let current: LogRecord | undefined;
  let lastTs = blockTs;
  for (const l of lines) {
    if (l.continuation && current !== undefined) {
      current.more.push(l.text);
      continue;
    }
    if (l.continuation) {
      orphans.push(l.text);
      continue;
    }
    const ts = l.tsUs ?? lastTs;
    lastTs = ts;
    current = { sourceId, line: l.line, ts, level: levelName(l.level), text: l.text, more: [] };
    records.push(current);
  }
  return { orphans, records };
}

function matches(r: LogRecord, filter: Filter): boolean {
  if (r.ts < filter.from || r.ts > filter.to) return false;
  if (filter.levels !== null && (r.level === null || !filter.levels.has(r.level))) return false;
  if (filter.needle !== null) {
    if (r.text.toLowerCase().includes(filter.needle)) return true;
    return r.more.some((m) => m.toLowerCase().includes(filter.needle!));
  }
  return true;
}

interface DirectionalPage {
  records: LogRecord[];
  exhausted: boolean;
  partial: boolean;
  /** For a partial page: a cursor behind which everything has been scanned. */
  scannedTo: LogCursor | null;
}

/** One direction from an exclusive cursor; records come back in time order either way. */
function page(db: Db, filter: Filter, cursor: LogCursor, direction: 'forward' | 'backward', limit: number): DirectionalPage {
  const forward = direction === 'forward';
  const lower = forward ? Math.max(cursor.ts, filter.from) : filter.from;
  const upper = forward ? filter.to : Math.min(cursor.ts, filter.to);
  const wanted = blockFilter(filter);
  const candidates = blockSummaries(db).filter((b) => b.tsMax >= lower && b.tsMin <= upper && wanted(b));
  if (forward) candidates.sort((a, b) => a.tsMin - b.tsMin || a.sourceId - b.sourceId || a.blockNo - b.blockNo);
  else candidates.sort((a, b) => b.tsMax - a.tsMax || b.sourceId - a.sourceId || b.blockNo - a.blockNo);
  const found: LogRecord[] = [];
  const lastRecordOfSource = new Map<number, LogRecord>();
  const pendingTail = new Map<number, string[]>();
  const beyondCursor = (r: LogRecord): boolean => (forward ? compareCursor(keyOf(r), cursor) > 0 : compareCursor(keyOf(r), cursor) < 0);
  const ordered = (a: LogRecord, b: LogRecord): number => (forward ? compareCursor(keyOf(a), keyOf(b)) : compareCursor(keyOf(b), keyOf(a)));
  const inTimeOrder = (records: LogRecord[]): LogRecord[] => (forward ? records : records.reverse());
  const started = performance.now();
  for (const summary of candidates) {
    // Blocks come ordered by their near edge; once `limit` records lie strictly before the next block's near
    // edge, no later block can hold a record that sorts among them.
    if (found.length >= limit) {
      found.sort(ordered);
      const kth = found[limit - 1]!.ts;
      if (forward ? summary.tsMin > kth : summary.tsMax < kth) return { records: inTimeOrder(found.slice(0, limit)), exhausted: false, partial: false, scannedTo: null };
    }
    if (filter.needle !== null && found.length < limit && performance.now() - started > TEXT_SCAN_BUDGET_MS) {
      const edge = forward ? summary.tsMin - 1 : summary.tsMax + 1;
      const done = found.filter((r) => (forward ? r.ts <= edge : r.ts >= edge)).sort(ordered).slice(0, limit);
      const scannedTo = { ts: edge, sourceId: forward ? FAR : -1, line: forward ? FAR : -1 };
      return { records: inTimeOrder(done), exhausted: false, partial: true, scannedTo };
    }
    const sourceId = summary.sourceId;
    const { orphans, records } = recordsOf(sourceId, decodedBlock(db, sourceId, summary.blockNo), summary.tsMin);
    // A stack trace cut by a block boundary: glue its tail to the record it continues.
    if (forward) {
      const owner = lastRecordOfSource.get(sourceId);
      if (owner !== undefined) owner.more.push(...orphans);
    } else {
      const tail = pendingTail.get(sourceId);
      const owner = records[records.length - 1];
      if (tail !== undefined && owner !== undefined) owner.more.push(...tail);
      pendingTail.set(sourceId, orphans);
    }
    for (const r of records) if (beyondCursor(r) && matches(r, filter)) found.push(r);
    const last = records[records.length - 1];
    if (forward && last !== undefined) lastRecordOfSource.set(sourceId, last);
  }
  found.sort(ordered);
  const exhausted = found.length <= limit;
  return { records: inTimeOrder(found.slice(0, limit)), exhausted, partial: false, scannedTo: null };
}

/** Marks the records that are recognised events, so the view can highlight them. */
function markEvents(db: Db, records: LogRecord[]): void {
  if (records.length === 0) return;
  const byKey = new Map(records.map((r) => [`${r.sourceId}:${r.line}`, r]));
  const ids = [...new Set(records.map((r) => r.sourceId))].map(Number).join(',');
  const rows = db
    .prepare(`SELECT source_id, line, kind FROM event WHERE ts_us >= ? AND ts_us <= ? AND source_id IN (${ids}) LIMIT ?`)
    .all(records[0]!.ts, records[records.length - 1]!.ts, records.length * 4) as Array<{ source_id: number; line: number; kind: string }>;
  for (const row of rows) {
    const record = byKey.get(`${row.source_id}:${row.line}`);
    if (record !== undefined) record.event = row.kind;
  }
}

function sourcesOf(db: Db, records: LogRecord[]): LogPage['sources'] {
  markEvents(db, records);
  const ids = [...new Set(records.map((r) => r.sourceId))];
  if (ids.length === 0) return [];
  return db.prepare(`SELECT id, path, tm_id AS tm FROM source WHERE id IN (${ids.map(Number).join(',')})`).all() as LogPage['sources'];
}

/** The records holding given physical lines (their first line when a line is a continuation), in time order. */
export function recordsAt(db: Db, refs: ReadonlyArray<{ sourceId: number; line: number }>): LogRecord[] {
  const blockStmt = db.prepare('SELECT * FROM log_block WHERE source_id = ? AND first_line <= ? ORDER BY first_line DESC LIMIT 1');
  const decoded = new Map<string, LogRecord[]>();
  const found = new Map<string, LogRecord>();
  for (const ref of refs) {
    const block = blockStmt.get(ref.sourceId, ref.line) as BlockRow | undefined;
    if (block === undefined || block.ts_min_us === null || ref.line >= block.first_line + block.line_count) continue;
    const blockKey = `${block.source_id}:${block.block_no}`;
    let records = decoded.get(blockKey);
    if (records === undefined) {
      records = recordsOf(ref.sourceId, decodeBlock(block), block.ts_min_us).records;
      decoded.set(blockKey, records);
    }
    let holder: LogRecord | undefined;
    for (const r of records) if (r.line <= ref.line) holder = r;
    if (holder !== undefined) found.set(`${holder.sourceId}:${holder.line}`, holder);
  }
  return [...found.values()].sort((a, b) => compareCursor(keyOf(a), keyOf(b)));
}

export function logLines(db: Db, q: LogQuery): LogPage {
  const filter = resolveFilter(db, q);
  if (q.around !== undefined) {
    let anchor: LogCursor;
    if ('ts' in q.around) {
      anchor = { ts: q.around.ts, sourceId: -1, line: -1 };
    } else {
      const [r] = recordsAt(db, [q.around]);
      anchor = r === undefined ? { ts: filter.from, sourceId: -1, line: -1 } : { ts: r.ts, sourceId: r.sourceId, line: r.line - 1 };
    }
    const half = Math.max(1, Math.floor(q.limit / 2));
    const behind = page(db, filter, { ...anchor, line: anchor.line + 1 }, 'backward', half);
    const ahead = page(db, filter, anchor, 'forward', q.limit - behind.records.length);
    const records = [...behind.records, ...ahead.records];
    return {
      records,
      before: behind.exhausted || records.length === 0 ? null : keyOf(records[0]!),
      after: ahead.partial ? ahead.scannedTo : ahead.exhausted || records.length === 0 ? null : keyOf(records[records.length - 1]!),
      partial: behind.partial || ahead.partial,
      anchorIndex: ahead.records.length > 0 ? behind.records.length : records.length > 0 ? records.length - 1 : null,
      sources: sourcesOf(db, records),
    };
  }
  const direction = q.direction ?? 'forward';
  const cursor = q.cursor ?? (direction === 'forward' ? { ts: filter.from, sourceId: -1, line: -1 } : { ts: filter.to, sourceId: FAR, line: FAR });
  const result = page(db, filter, cursor, direction, q.limit);
  const { records } = result;
  const first = records[0];
  const last = records[records.length - 1];
  const more = !result.exhausted;
  return {
    records,
    before: direction === 'backward' ? (result.partial ? result.scannedTo : more && first !== undefined ? keyOf(first) : null) : first !== undefined ? keyOf(first) : null,
    after: direction === 'forward' ? (result.partial ? result.scannedTo : more && last !== undefined ? keyOf(last) : null) : last !== undefined ? keyOf(last) : null,
    partial: result.partial,
    anchorIndex: null,
    sources: sourcesOf(db, records),
  };
}
