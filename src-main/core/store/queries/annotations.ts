import type { Db } from '../database.js';

/** Where an annotation or finding points: an event, a line, a checkpoint, a GC pause, … */
export interface EvidenceLink {
  type: string;
  id?: number | string;
  key?: string;
  label?: string;
  ts?: number;
  sourceId?: number;
  line?: number;
}

export const ANNOTATION_TYPES = ['detection', 'diagnosis', 'repair', 'key-moment', 'note'] as const;
export type AnnotationType = (typeof ANNOTATION_TYPES)[number];

export interface AnnotationInput {
  from: number;
  /** Absent or null for a point note. */
  to?: number | null;
  lane?: string | null;
  type: AnnotationType;
  /** Markdown; shells render it escaped with a small subset of formatting. */
  text: string;
  starred?: boolean;
  evidence?: EvidenceLink[];
}

export type AnnotationPatch = Partial<AnnotationInput>;

export interface Annotation {
  id: number;
  from: number;
  to: number | null;
  lane: string | null;
  type: AnnotationType;
  text: string;
  starred: boolean;
  evidence: EvidenceLink[];
  createdAt: string;
  updatedAt: string;
}

interface AnnotationRow {
  id: number;
  from_us: number;
  to_us: number | null;
  lane: string | null;
  type: string;
  text: string;
  starred: number;
  evidence: string;
  created_at: string;
  updated_at: string;
}

function isAnnotationType(value: string): value is AnnotationType {
  return (ANNOTATION_TYPES as readonly string[]).includes(value);
}

function parseEvidence(json: string): EvidenceLink[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is EvidenceLink => typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string') : [];
  } catch {
    return [];
  }
}

function toAnnotation(row: AnnotationRow): Annotation {
  return {
    id: row.id,
    from: row.from_us,
    to: row.to_us,
    lane: row.lane,
    // A file edited by hand (or by a newer Sluice) may hold a type this build does not know: show it as a note.
    type: isAnnotationType(row.type) ? row.type : 'note',
    text: row.text,
    starred: row.starred !== 0,
    evidence: parseEvidence(row.evidence),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A range note keeps from ≤ to whatever order the two ends were picked in. */
function ordered(from: number, to: number | null): [number, number | null] {
  return to !== null && to < from ? [to, from] : [from, to];
}

export function listAnnotations(db: Db, range?: { from: number; to: number }): Annotation[] {
  const rows = range === undefined
    ? db.prepare('SELECT * FROM annotation ORDER BY from_us, id').all()
    : db.prepare('SELECT * FROM annotation WHERE coalesce(to_us, from_us) >= ? AND from_us <= ? ORDER BY from_us, id').all(range.from, range.to);
  return (rows as AnnotationRow[]).map(toAnnotation);
}

export function getAnnotation(db: Db, id: number): Annotation | undefined {
  const row = db.prepare('SELECT * FROM annotation WHERE id = ?').get(id) as AnnotationRow | undefined;
  return row === undefined ? undefined : toAnnotation(row);
}

export function createAnnotation(db: Db, input: AnnotationInput, now: Date = new Date()): Annotation {
  const [from, to] = ordered(input.from, input.to ?? null);
  const stamp = now.toISOString();
  const info = db
    .prepare(`INSERT INTO annotation (from_us, to_us, lane, type, text, starred, evidence, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(from, to, input.lane ?? null, input.type, input.text, input.starred === true ? 1 : 0, JSON.stringify(input.evidence ?? []), stamp, stamp);
  return getAnnotation(db, Number(info.lastInsertRowid))!;
}

/** Applies the fields present in the patch; undefined when no such annotation exists. */
export function updateAnnotation(db: Db, id: number, patch: AnnotationPatch, now: Date = new Date()): Annotation | undefined {
  const current = getAnnotation(db, id);
  if (current === undefined) return undefined;
  const [from, to] = ordered(patch.from ?? current.from, patch.to === undefined ? current.to : patch.to);
  db.prepare(`UPDATE annotation SET from_us = ?, to_us = ?, lane = ?, type = ?, text = ?, starred = ?, evidence = ?, updated_at = ?
    WHERE id = ?`).run(
    from,
    to,
    patch.lane === undefined ? current.lane : patch.lane,
    patch.type ?? current.type,
    patch.text ?? current.text,
    (patch.starred ?? current.starred) ? 1 : 0,
    JSON.stringify(patch.evidence ?? current.evidence),
    now.toISOString(),
    id,
  );
  return getAnnotation(db, id);
}

export function deleteAnnotation(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM annotation WHERE id = ?').run(id).changes > 0;
}
