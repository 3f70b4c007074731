import type { Db } from '../database.js';

export interface FlameProfileFilter {
  /** Keep profiles whose time span overlaps [from, to] (epoch µs); profiles without a time are dropped then. */
  from?: number;
  to?: number;
  tm?: string;
  mode?: string;
  sourceId?: number;
}

export interface FlameProfileRow {
  id: number;
  sourceId: number;
  path: string;
  format: string;
  mode: string;
  startUs: number | null;
  endUs: number | null;
  timeExact: boolean;
  tm: string | null;
  host: string | null;
  vertexId: string | null;
  subtask: number | null;
  /** Total weight (samples, or the format's unit). */
  samples: number;
  title: string | null;
  /** True when per-sample timestamps exist (flame_sample rows), so a time range cuts the profile exactly. */
  timestamped: boolean;
}

/** Which profiles (and which part of them) feed a tree. */
export interface FlameSelection {
  from?: number;
  to?: number;
  tm?: string;
  mode?: string;
  profileIds?: readonly number[];
}

export interface CallTreeNode {
  name: string;
  /** Frame type with the most weight at this node ('' when the format gives none). */
  type: string;
  total: number;
  self: number;
  children: CallTreeNode[];
}

export type ProfileBasis = 'whole' | 'samples' | 'overlap';

export interface MergedTree {
  /** Synthetic root 'all'. */
  root: CallTreeNode;
  totalWeight: number;
  /**
   * True when every included profile was cut by sample time (or no range was asked); false when some profile
   * without timestamps was taken whole because its time span overlaps the range.
   */
  exact: boolean;
  profiles: Array<{ id: number; basis: ProfileBasis }>;
}

export interface DiffTreeNode {
  name: string;
  type: string;
  totalA: number;
  totalB: number;
  /** totalX / total weight of side X (0 when the side is empty). */
  shareA: number;
  shareB: number;
  selfShareA: number;
  selfShareB: number;
  /** shareB − shareA. */
  delta: number;
  children: DiffTreeNode[];
}

export interface DiffTree {
  root: DiffTreeNode;
  totalA: number;
  totalB: number;
  exactA: boolean;
  exactB: boolean;
}

interface ProfileSql {
  id: number;
  source_id: number;
  path: string;
  format: string;
  mode: string;
  start_us: number | null;
  end_us: number | null;
  time_exact: number;
  tm: string | null;
  host: string | null;
  vertex_id: string | null;
  subtask: number | null;
  samples: number;
  title: string | null;
  timestamped: number;
}

const PROFILE_COLUMNS = `p.id, p.source_id, s.path, p.format, p.mode, p.start_us, p.end_us, p.time_exact, p.tm, p.host, p.vertex_id,
  p.subtask, p.samples, p.title, EXISTS (SELECT 1 FROM flame_sample x WHERE x.profile_id = p.id) AS timestamped`;

export function listProfiles(db: Db, filter: FlameProfileFilter = {}): FlameProfileRow[] {
  const rows = queryProfiles(db, { tm: filter.tm, mode: filter.mode, sourceId: filter.sourceId });
  const ranged = filter.from !== undefined || filter.to !== undefined;
  return rows.filter((row) => !ranged || overlaps(row, filter.from, filter.to)).map(toRow);
}

function queryProfiles(db: Db, where: { tm?: string | undefined; mode?: string | undefined; sourceId?: number | undefined; ids?: readonly number[] | undefined }): ProfileSql[] {
  const clauses: string[] = [];
  const params: Array<string | number> = [];
  if (where.tm !== undefined) {
    clauses.push('p.tm = ?');
    params.push(where.tm);
  }
  if (where.mode !== undefined) {
    clauses.push('p.mode = ?');
    params.push(where.mode);
  }
  if (where.sourceId !== undefined) {
    clauses.push('p.source_id = ?');
    params.push(where.sourceId);
  }
  if (where.ids !== undefined) {
    clauses.push('p.id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(where.ids));
  }
  const sql = `SELECT ${PROFILE_COLUMNS} FROM flame_profile p JOIN source s ON s.id = p.source_id
    ${clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY coalesce(p.start_us, p.end_us) IS NULL, coalesce(p.start_us, p.end_us), p.id`;
  return db.prepare(sql).all(...params) as ProfileSql[];
}

function toRow(row: ProfileSql): FlameProfileRow {
  return {
    id: row.id,
    sourceId: row.source_id,
    path: row.path,
    format: row.format,
    mode: row.mode,
    startUs: row.start_us,
    endUs: row.end_us,
    timeExact: row.time_exact === 1,
    tm: row.tm,
    host: row.host,
    vertexId: row.vertex_id,
    subtask: row.subtask,
    samples: row.samples,
    title: row.title,
    timestamped: row.timestamped === 1,
  };
}

/** A profile known only by a point (capture time) overlaps when the point is inside the range. */
function overlaps(row: ProfileSql, from: number | undefined, to: number | undefined): boolean {
  const start = row.start_us ?? row.end_us;
  const end = row.end_us ?? row.start_us;
  if (start === null || end === null) return false;
  return (from === undefined || end >= from) && (to === undefined || start <= to);
}

interface WeightedStack {
  frameIds: number[];
  weight: number;
}

interface SelectedStacks {
  stacks: WeightedStack[];
  exact: boolean;
  profiles: Array<{ id: number; basis: ProfileBasis }>;
}

function selectStacks(db: Db, selection: FlameSelection): SelectedStacks {
  const profiles = queryProfiles(db, { tm: selection.tm, mode: selection.mode, ids: selection.profileIds });
  const ranged = selection.from !== undefined || selection.to !== undefined;
  const stackRows = db.prepare('SELECT stack_no, frames, weight FROM flame_stack WHERE profile_id = ?');
  const sampleWeights = db.prepare(
    `SELECT stack_no, sum(weight) AS weight FROM flame_sample WHERE profile_id = ? AND ts_us >= ? AND ts_us <= ? GROUP BY stack_no`,
  );
  const result: SelectedStacks = { stacks: [], exact: true, profiles: [] };
  for (const profile of profiles) {
    let basis: ProfileBasis;
    let weights: Map<number, number> | undefined;
    if (!ranged) basis = 'whole';
    else if (profile.timestamped === 1) {
      basis = 'samples';
      const rows = sampleWeights.all(profile.id, selection.from ?? Number.MIN_SAFE_INTEGER, selection.to ?? Number.MAX_SAFE_INTEGER) as Array<{ stack_no: number; weight: number }>;
      weights = new Map(rows.map((row) => [row.stack_no, row.weight]));
    } else if (overlaps(profile, selection.from, selection.to)) {
      basis = 'overlap';
      result.exact = false;
    } else continue;
    result.profiles.push({ id: profile.id, basis });
    for (const row of stackRows.all(profile.id) as Array<{ stack_no: number; frames: string; weight: number }>) {
      const weight = weights === undefined ? row.weight : (weights.get(row.stack_no) ?? 0);
      if (weight <= 0) continue;
      result.stacks.push({ frameIds: row.frames === '' ? [] : row.frames.split(',').map(Number), weight });
    }
  }
  return result;
}

interface FrameInfo {
  name: string;
  type: string;
}

function loadFrames(db: Db, stacks: readonly WeightedStack[]): Map<number, FrameInfo> {
  const ids = new Set<number>();
  for (const stack of stacks) for (const id of stack.frameIds) ids.add(id);
  const rows = db
    .prepare('SELECT id, name, type FROM flame_frame WHERE id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify([...ids])) as Array<{ id: number; name: string; type: string }>;
  return new Map(rows.map((row) => [row.id, { name: row.name, type: row.type }]));
}

/** Building node: merges frames by name (a method JIT-compiled in one sample and inlined in another is one node). */
interface BuildNode {
  name: string;
  typeWeights: Map<string, number>;
  total: number[];
  self: number[];
  children: Map<string, BuildNode>;
}

function newNode(name: string, sides: number): BuildNode {
  return { name, typeWeights: new Map(), total: new Array<number>(sides).fill(0), self: new Array<number>(sides).fill(0), children: new Map() };
}

function insert(root: BuildNode, stacks: readonly WeightedStack[], frames: Map<number, FrameInfo>, side: number): number {
  let sum = 0;
  for (const stack of stacks) {
    sum += stack.weight;
    let node = root;
    node.total[side]! += stack.weight;
    for (const id of stack.frameIds) {
      const frame = frames.get(id) ?? { name: `[frame ${id}]`, type: '' };
      let child = node.children.get(frame.name);
      if (child === undefined) node.children.set(frame.name, (child = newNode(frame.name, root.total.length)));
      child.total[side]! += stack.weight;
      child.typeWeights.set(frame.type, (child.typeWeights.get(frame.type) ?? 0) + stack.weight);
      node = child;
    }
    node.self[side]! += stack.weight;
  }
  return sum;
}

function dominantType(node: BuildNode): string {
  let best = '';
  let bestWeight = -1;
  for (const [type, weight] of node.typeWeights) {
    if (weight > bestWeight || (weight === bestWeight && type < best)) {
      best = type;
      bestWeight = weight;
    }
  }
  return best;
}

/** Converts a build tree bottom-up without recursion (JVM stacks can be thousands of frames deep). */
function convert<T extends { children: T[] }>(root: BuildNode, make: (node: BuildNode) => T, order: (a: T, b: T) => number): T {
  const out = new Map<BuildNode, T>();
  const pending: Array<{ node: BuildNode; expanded: boolean }> = [{ node: root, expanded: false }];
  while (pending.length > 0) {
    const top = pending[pending.length - 1]!;
    if (!top.expanded) {
      top.expanded = true;
      for (const child of top.node.children.values()) pending.push({ node: child, expanded: false });
      continue;
    }
    pending.pop();
    const made = make(top.node);
    for (const child of top.node.children.values()) made.children.push(out.get(child)!);
    made.children.sort(order);
    for (const child of top.node.children.values()) out.delete(child);
    out.set(top.node, made);
  }
  return out.get(root)!;
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** One call tree merged across the selected profiles; children sorted by total weight. */
export function mergedTree(db: Db, selection: FlameSelection = {}): MergedTree {
  const selected = selectStacks(db, selection);
  const frames = loadFrames(db, selected.stacks);
  const root = newNode('all', 1);
  const totalWeight = insert(root, selected.stacks, frames, 0);
  const tree = convert<CallTreeNode>(
    root,
    (node) => ({ name: node.name, type: node === root ? '' : dominantType(node), total: node.total[0]!, self: node.self[0]!, children: [] }),
    (a, b) => b.total - a.total || byName(a, b),
  );
  return { root: tree, totalWeight, exact: selected.exact, profiles: selected.profiles };
}

/** Two selections in one tree, each side normalised by its own total so profiles of different length compare. */
export function diffTree(db: Db, a: FlameSelection, b: FlameSelection): DiffTree {
  const selectedA = selectStacks(db, a);
  const selectedB = selectStacks(db, b);
  const frames = loadFrames(db, [...selectedA.stacks, ...selectedB.stacks]);
  const root = newNode('all', 2);
  const totalA = insert(root, selectedA.stacks, frames, 0);
  const totalB = insert(root, selectedB.stacks, frames, 1);
  const share = (value: number, total: number): number => (total > 0 ? value / total : 0);
  const tree = convert<DiffTreeNode>(
    root,
    (node) => {
      const shareA = share(node.total[0]!, totalA);
      const shareB = share(node.total[1]!, totalB);
      return {
        name: node.name,
        type: node === root ? '' : dominantType(node),
        totalA: node.total[0]!,
        totalB: node.total[1]!,
        shareA,
        shareB,
        selfShareA: share(node.self[0]!, totalA),
        selfShareB: share(node.self[1]!, totalB),
        delta: shareB - shareA,
        children: [],
      };
    },
    (x, y) => y.shareA + y.shareB - (x.shareA + x.shareB) || byName(x, y),
  );
  return { root: tree, totalA, totalB, exactA: selectedA.exact, exactB: selectedB.exact };
}

/** async-profiler's annotation suffixes, so the text reads back with the same frame types. */
const TYPE_SUFFIX: Readonly<Record<string, string>> = {
  interpreted: '_[0]',
  jit: '_[j]',
  inlined: '_[i]',
  kernel: '_[k]',
  c1: '_[1]',
  waker: '_[w]',
};

/** Collapsed-stack lines (`frame;frame weight`) for the selection, identical stacks summed, sorted by text. */
export function collapsed(db: Db, selection: FlameSelection = {}): string[] {
  const selected = selectStacks(db, selection);
  const frames = loadFrames(db, selected.stacks);
  const weights = new Map<string, number>();
  for (const stack of selected.stacks) {
    if (stack.frameIds.length === 0) continue;
    const text = stack.frameIds
      .map((id) => {
        const frame = frames.get(id) ?? { name: `[frame ${id}]`, type: '' };
        // ';' separates frames in this format; async-profiler writes '|' in its place too.
        return frame.name.replace(/;/g, '|').replace(/[\r\n]/g, ' ') + (TYPE_SUFFIX[frame.type] ?? '');
      })
      .join(';');
    weights.set(text, (weights.get(text) ?? 0) + stack.weight);
  }
  return [...weights.keys()].sort().map((text) => `${text} ${weights.get(text)!}`);
}
