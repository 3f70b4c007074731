import type { Db } from '../store/database.js';

/**
 * After ingest: ties each GC log to the TaskManager (or JobManager) JVM that wrote it, and gives uptime-only GC
 * events a wall-clock time from that JVM's Flink log banner.
 *
 * Matching evidence, strongest first: the same YARN container id in both paths, the same pid, the same folder
 * in the bundle (one folder per TM/pod is how bundles are collected), the same host, and overlapping time
 * ranges. A GC log is attributed only when one JVM wins clearly; a tie leaves it alone (the candidates are kept
 * in the source facts for the UI). A user's choice (`reassignGcSource`) is never overwritten.
 *
 * Anchoring uses the JVM start of the matched Flink log (`source.jvm_start_us`, the first banner line): the JVM
 * started a little before its first log line, so the result is 'estimated'. A GC file holding several JVM runs
 * (uptime resets) cannot be told apart here and is anchored as one run; the parser has warned about it.
 */

interface SourceRow {
  id: number;
  path: string;
  kind: string;
  host: string | null;
  tm_id: string | null;
  jvm_start_us: number | null;
  time_from_us: number | null;
  time_to_us: number | null;
  facts: string | null;
}

interface GcFacts {
  pid?: number;
  host?: string;
  tmAssignedBy?: 'user' | 'auto';
  tmMatch?: string;
  tmCandidates?: string[];
  [key: string]: unknown;
}

interface Candidate {
  flink: SourceRow;
  score: number;
  reasons: string[];
}

const FLINK_KINDS = ['flink-tm-log', 'flink-jm-log', 'flink-log'];
export const FLINK_BANNER_BASIS = 'uptime+flink-banner';
/** Below this a match is a guess: a shared host alone (several TMs per host are common) is not enough. */
const MIN_SCORE = 3;

function parseFacts(text: string | null): GcFacts {
  if (text === null) return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as GcFacts) : {};
  } catch {
    return {};
  }
}

/** Folder of a bundle path, across archive boundaries: 'b.zip!/tm-1/gc.log' → 'b.zip!/tm-1'. */
function folderOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('!'));
  return cut < 0 ? '' : path.slice(0, cut);
}

function containerOf(path: string): string | undefined {
  return /container_(?:e\d+_)?\d+_\d+_\d+_\d+/.exec(path)?.[0];
}

function score(gc: SourceRow, gcFacts: GcFacts, flink: SourceRow): Candidate {
  const reasons: string[] = [];
  let total = 0;
  const container = containerOf(gc.path);
  if (container !== undefined && container === containerOf(flink.path)) {
    total += 5;
    reasons.push(`same container ${container}`);
  }
  const flinkFacts = parseFacts(flink.facts);
  if (gcFacts.pid !== undefined && gcFacts.pid === flinkFacts.pid) {
    total += 5;
    reasons.push(`same pid ${gcFacts.pid}`);
  }
  if (folderOf(gc.path) === folderOf(flink.path)) {
    total += 4;
    reasons.push(`same folder ${folderOf(gc.path) || '(bundle root)'}`);
  }
  const gcHost = gc.host ?? gcFacts.host;
  if (gcHost !== null && gcHost !== undefined && gcHost === flink.host) {
    total += 3;
    reasons.push(`same host ${gcHost}`);
  }
  // Collectors name GC files after the pod or host ('gc-tm-2.log', 'tm-2.gc.log'): a whole-token match counts.
  if (flink.host !== null && flink.host.length >= 3 && gcHost !== flink.host && nameHasToken(gc.path, flink.host)) {
    total += 3;
    reasons.push(`host ${flink.host} in the file name`);
  }
  if (flink.tm_id !== null && gc.path.includes(flink.tm_id)) {
    total += 5;
    reasons.push(`TaskManager id in the path`);
  }
  if (gc.time_from_us !== null && gc.time_to_us !== null && flink.time_from_us !== null && flink.time_to_us !== null) {
    const overlaps = gc.time_from_us <= flink.time_to_us && flink.time_from_us <= gc.time_to_us;
    total += overlaps ? 1 : -2;
    reasons.push(overlaps ? 'overlapping time ranges' : 'time ranges do not overlap');
  }
  return { flink, score: total, reasons };
}

function nameHasToken(path: string, token: string): boolean {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('!')) + 1);
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9])${escaped}([^A-Za-z0-9]|$)`).test(name);
}

/** The JVM a Flink log belongs to: TaskManager id, else its path (JobManager, client). */
const jvmOf = (flink: SourceRow): string => flink.tm_id ?? flink.path;

function bestMatch(gc: SourceRow, gcFacts: GcFacts, flinkSources: readonly SourceRow[]): { match?: Candidate; tied: string[] } {
  const ranked = flinkSources.map((flink) => score(gc, gcFacts, flink)).filter((c) => c.score >= MIN_SCORE);
  if (ranked.length === 0) return { tied: [] };
  // Rotated Flink logs of one JVM are one candidate; keep the file that carries the banner (JVM start).
  const byJvm = new Map<string, Candidate>();
  for (const candidate of ranked) {
    const key = jvmOf(candidate.flink);
    const seen = byJvm.get(key);
    const better =
      seen === undefined ||
      candidate.score > seen.score ||
      (candidate.score === seen.score && seen.flink.jvm_start_us === null && candidate.flink.jvm_start_us !== null);
    if (better) byJvm.set(key, candidate);
  }
  const sorted = [...byJvm.values()].sort((a, b) => b.score - a.score);
  const top = sorted[0]!;
  const tied = sorted.filter((c) => c.score === top.score).map((c) => jvmOf(c.flink));
  return tied.length > 1 ? { tied } : { match: top, tied };
}

function flinkSourcesOf(db: Db): SourceRow[] {
  return db
    .prepare(
      `SELECT id, path, kind, host, tm_id, jvm_start_us, time_from_us, time_to_us, facts FROM source
       WHERE kind IN (${FLINK_KINDS.map(() => '?').join(',')}) AND status = 'done'`,
    )
    .all(...FLINK_KINDS) as SourceRow[];
}

function gcSources(db: Db, onlyId?: number): SourceRow[] {
  const sql = `SELECT id, path, kind, host, tm_id, jvm_start_us, time_from_us, time_to_us, facts FROM source
     WHERE kind = 'gc-log' AND status = 'done'${onlyId === undefined ? '' : ' AND id = ?'} ORDER BY id`;
  return (onlyId === undefined ? db.prepare(sql).all() : db.prepare(sql).all(onlyId)) as SourceRow[];
}

/** Sets (or re-sets) the Flink-banner anchor of a GC source's uptime-only events; returns how many moved. */
function anchorFromBanner(db: Db, gcSourceId: number, flink: SourceRow | undefined): number {
  db.prepare(
    `UPDATE gc_event SET start_us = NULL, time_confidence = 'none', time_basis = 'uptime'
     WHERE source_id = ? AND time_basis = ?`,
  ).run(gcSourceId, FLINK_BANNER_BASIS);
  if (flink === undefined || flink.jvm_start_us === null) return 0;
  const moved = db
    .prepare(
      `UPDATE gc_event SET start_us = ? + uptime_us, time_confidence = 'estimated', time_basis = ?
       WHERE source_id = ? AND start_us IS NULL AND uptime_us IS NOT NULL`,
    )
    .run(flink.jvm_start_us, FLINK_BANNER_BASIS, gcSourceId).changes;
  if (moved > 0) {
    const range = db.prepare('SELECT min(start_us) AS lo, max(start_us + duration_us) AS hi FROM gc_event WHERE source_id = ?').get(gcSourceId) as {
      lo: number | null;
      hi: number | null;
    };
    db.prepare(
      `UPDATE source SET time_confidence = 'estimated', time_anchor = ?, time_from_us = ?, time_to_us = ? WHERE id = ?`,
    ).run(`uptime + JVM start from the Flink log ${flink.path}`, range.lo, range.hi, gcSourceId);
  }
  return moved;
}

function attributeOne(db: Db, gc: SourceRow, flinkSources: readonly SourceRow[]): void {
  const facts = parseFacts(gc.facts);
  let flink: SourceRow | undefined;
  if (facts.tmAssignedBy === 'user') {
    flink = gc.tm_id === null ? undefined : pickBannerSource(flinkSources.filter((f) => f.tm_id === gc.tm_id));
  } else {
    const { match, tied } = bestMatch(gc, facts, flinkSources);
    flink = match?.flink;
    const next: GcFacts = { ...facts };
    delete next.tmCandidates;
    delete next.tmMatch;
    if (match !== undefined) {
      next.tmAssignedBy = 'auto';
      next.tmMatch = match.reasons.join(', ');
    } else {
      delete next.tmAssignedBy;
      if (tied.length > 1) next.tmCandidates = tied;
    }
    db.prepare('UPDATE source SET tm_id = ?, host = coalesce(host, ?), facts = ? WHERE id = ?').run(
      match?.flink.tm_id ?? null,
      match?.flink.host ?? null,
      JSON.stringify(next),
      gc.id,
    );
  }
  anchorFromBanner(db, gc.id, flink);
}

/** Of several Flink logs of one JVM (rotation), the one with the banner; the earliest JVM start if several. */
function pickBannerSource(sources: readonly SourceRow[]): SourceRow | undefined {
  const withStart = sources.filter((s) => s.jvm_start_us !== null).sort((a, b) => a.jvm_start_us! - b.jvm_start_us!);
  return withStart[0] ?? sources[0];
}

export function attributeGcSources(db: Db): void {
  const flinkSources = flinkSourcesOf(db);
  db.transaction(() => {
    for (const gc of gcSources(db)) attributeOne(db, gc, flinkSources);
  })();
}

/**
 * The user's choice of TaskManager for a GC log (null: drop the choice and let automatic attribution decide).
 * Persisted in the source row and its facts (`tmAssignedBy: 'user'`); re-anchors the source's uptime-only events.
 */
export function reassignGcSource(db: Db, sourceId: number, tmId: string | null): void {
  const [gc] = gcSources(db, sourceId);
  if (gc === undefined) throw new Error(`source ${sourceId} is not an ingested GC log`);
  const flinkSources = flinkSourcesOf(db);
  db.transaction(() => {
    const facts = parseFacts(gc.facts);
    if (tmId === null) {
      delete facts.tmAssignedBy;
      db.prepare('UPDATE source SET tm_id = NULL, facts = ? WHERE id = ?').run(JSON.stringify(facts), sourceId);
      attributeOne(db, { ...gc, tm_id: null, facts: JSON.stringify(facts) }, flinkSources);
      return;
    }
    const host =
      (db.prepare('SELECT host FROM taskmanager WHERE tm_id = ?').get(tmId) as { host: string | null } | undefined)?.host ??
      flinkSources.find((f) => f.tm_id === tmId && f.host !== null)?.host ??
      null;
    const next: GcFacts = { ...facts, tmAssignedBy: 'user' };
    delete next.tmCandidates;
    delete next.tmMatch;
    db.prepare('UPDATE source SET tm_id = ?, host = coalesce(?, host), facts = ? WHERE id = ?').run(tmId, host, JSON.stringify(next), sourceId);
    anchorFromBanner(db, sourceId, pickBannerSource(flinkSources.filter((f) => f.tm_id === tmId)));
  })();
}
