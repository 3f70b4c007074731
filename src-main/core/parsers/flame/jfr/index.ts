import type { FlameFrame } from '../../../model/records.js';
import { frameTypeFromJfr } from '../frame-types.js';
import { emitProfile, WarningBudget, type ImportEnv } from '../importer.js';
import type { FlameMode } from '../path-hints.js';
import { StackTable } from '../stack-table.js';
import { ByteReader, JfrOutOfBounds } from './byte-reader.js';
import { JfrMetadata, JfrRef, type JfrObject, type JfrValue } from './metadata.js';

const HEADER_BYTES = 68;
const MAGIC = 0x464c5200; // 'FLR\0'
const MAX_CHECKPOINTS = 100_000;
const LIBRARY_NAME = /(?:\.so(?:\.[\d.]+)?|\.dll|\.dylib)$|^\[/i;

type Group = 'execution' | 'native' | 'wall' | 'alloc' | 'lock';

/** Sample events per profile (flame-formats §1.4 "events that matter per mode"). */
const EVENT_GROUPS: Readonly<Record<string, Group>> = {
  'jdk.ExecutionSample': 'execution',
  'jdk.CPUTimeSample': 'execution',
  'jdk.NativeMethodSample': 'native',
  'profiler.WallClockSample': 'wall',
  'jdk.ObjectAllocationInNewTLAB': 'alloc',
  'jdk.ObjectAllocationOutsideTLAB': 'alloc',
  'jdk.ObjectAllocationSample': 'alloc',
  'jdk.JavaMonitorEnter': 'lock',
  'jdk.ThreadPark': 'lock',
};

/** Field naming the class an allocation or lock event is about: shown as the leaf frame, as async-profiler does. */
const LEAF_CLASS_FIELD: Readonly<Record<string, string>> = {
  'jdk.ObjectAllocationInNewTLAB': 'objectClass',
  'jdk.ObjectAllocationOutsideTLAB': 'objectClass',
  'jdk.ObjectAllocationSample': 'objectClass',
  'jdk.JavaMonitorEnter': 'monitorClass',
  'jdk.ThreadPark': 'parkedClass',
};

const GROUP_MODES: Readonly<Record<Exclude<Group, 'execution'>, FlameMode>> = {
  // JDK samples threads in native code separately from Java code; whether they used CPU is unknown.
  native: 'wall',
  wall: 'wall',
  alloc: 'alloc',
  lock: 'lock',
};

interface GroupState {
  table: StackTable;
  counts: Map<string, number>;
}

interface RecordingState {
  groups: Map<Group, GroupState>;
  /** async-profiler's `event` argument (jdk.ActiveSetting), which says what ExecutionSample measured. */
  profilerEvent: string | undefined;
  startUs: number;
  endUs: number;
  warnings: WarningBudget;
}

/**
 * JFR recordings (JDK built-in and async-profiler): chunk header, metadata event, constant pools and the sample
 * events above, with ticks turned into epoch µs. One profile per kind of sample. A damaged chunk gives a
 * warning and whatever was read before the damage.
 */
export function importJfr(data: Buffer, env: ImportEnv): void {
  const state: RecordingState = {
    groups: new Map(),
    profilerEvent: undefined,
    startUs: Infinity,
    endUs: -Infinity,
    warnings: new WarningBudget(env.sink),
  };
  let offset = 0;
  let chunkNo = 0;
  while (offset < data.length) {
    chunkNo++;
    const next = readChunk(data, offset, chunkNo, state);
    if (next <= offset) break;
    offset = next;
  }
  state.warnings.finish('JFR problems');

  if (state.groups.size === 0) {
    env.sink.warning({ message: 'JFR recording holds no execution, allocation or lock sample events; no profile' });
    return;
  }
  const span = Number.isFinite(state.startUs) ? { startTs: state.startUs, endTs: state.endUs, timeExact: true } : {};
  for (const [group, { table, counts }] of state.groups) {
    const mode = group === 'execution' ? modeOfProfilerEvent(state.profilerEvent) : GROUP_MODES[group];
    const title = [...counts].map(([name, n]) => `${name} × ${n}`).join(', ');
    emitProfile(env, table, { format: 'jfr', mode, title, ...span, withSamples: true });
  }
}

function modeOfProfilerEvent(event: string | undefined): FlameMode {
  switch (event) {
    case 'itimer':
      return 'itimer';
    case 'wall':
      return 'wall';
    default:
      return 'cpu';
  }
}

/** Reads one chunk; returns where the next one starts (or the data end). */
function readChunk(data: Buffer, start: number, chunkNo: number, state: RecordingState): number {
  const warn = (message: string): void => state.warnings.warn(`JFR chunk ${chunkNo} (byte ${start}): ${message}`);
  if (data.length - start < HEADER_BYTES) {
    warn(`only ${data.length - start} bytes left, a chunk header needs ${HEADER_BYTES}; stopped`);
    return data.length;
  }
  if (data.readUInt32BE(start) !== MAGIC) {
    warn('no FLR magic where a chunk should start; stopped');
    return data.length;
  }
  const major = data.readUInt16BE(start + 4);
  const minor = data.readUInt16BE(start + 6);
  if (major < 1 || major > 2) {
    warn(`JFR version ${major}.${minor} is not supported (1.x and 2.x are); stopped`);
    return data.length;
  }
  const header = new ByteReader(data, start + 8, start + HEADER_BYTES, false);
  const declaredSize = header.fixedI64();
  const poolOffset = header.fixedI64();
  const metadataOffset = header.fixedI64();
  const startNanos = header.fixedI64();
  const durationNanos = header.fixedI64();
  const startTicks = header.fixedI64();
  const ticksPerSecond = header.fixedI64();
  const features = header.fixedI32();
  const compressed = (features & 1) !== 0;

  let end = start + declaredSize;
  if (declaredSize < HEADER_BYTES || end > data.length) {
    warn(`header says ${declaredSize} bytes but ${data.length - start} are present (truncated or still being written)`);
    end = data.length;
  }
  const chunkStartUs = startNanos / 1000;
  state.startUs = Math.min(state.startUs, chunkStartUs);
  state.endUs = Math.max(state.endUs, chunkStartUs + durationNanos / 1000);
  const ticksToUs = (ticks: number): number => chunkStartUs + ((ticks - startTicks) * 1e6) / ticksPerSecond;

  let metadata: JfrMetadata;
  try {
    if (metadataOffset < HEADER_BYTES || start + metadataOffset >= end) throw new JfrOutOfBounds(start + metadataOffset);
    metadata = JfrMetadata.read(new ByteReader(data, start + metadataOffset, end, compressed));
  } catch (error) {
    warn(`metadata event unreadable (${describe(error)}); events of this chunk cannot be decoded`);
    return end;
  }

  const pools: PoolIndex = new Map();
  readConstantPools(data, start, end, poolOffset, compressed, metadata, pools, warn);
  const resolver = new Resolver(pools, (offset, typeId) => metadata.readValue(new ByteReader(data, offset, end, compressed), typeId));
  const indexCache = new Map<Group, Map<string, number>>();
  let unresolved = 0;

  let pos = start + HEADER_BYTES;
  while (pos < end) {
    let size: number;
    let typeId: number;
    const reader = new ByteReader(data, pos, end, compressed);
    try {
      size = reader.int();
      typeId = reader.long();
    } catch {
      warn(`event header at byte ${pos} cut off; rest of chunk skipped`);
      break;
    }
    if (size <= 0 || pos + size > end) {
      warn(`event at byte ${pos} declares ${size} bytes, beyond the chunk end; rest of chunk skipped`);
      break;
    }
    const cls = metadata.classes.get(typeId);
    const group = cls === undefined ? undefined : EVENT_GROUPS[cls.name];
    if (cls !== undefined && (group !== undefined || cls.name === 'jdk.ActiveSetting')) {
      try {
        const event = metadata.readValue(new ByteReader(data, reader.pos, pos + size, compressed), typeId);
        if (!isObject(event)) throw new Error('event is not a struct');
        if (group === undefined) {
          if (resolver.string(event['name']) === 'event') state.profilerEvent = resolver.string(event['value']) ?? state.profilerEvent;
        } else {
          const ok = addSample(event, cls.name, group, state, resolver, indexCache, ticksToUs);
          if (!ok) unresolved++;
        }
      } catch (error) {
        warn(`${cls.name} event at byte ${pos} unreadable (${describe(error)}); skipped`);
      }
    }
    pos += size;
  }
  if (unresolved > 0) warn(`${unresolved} sample(s) refer to stack traces missing from the constant pool; kept as [unresolved stack trace]`);
  return end;
}

function readConstantPools(
  data: Buffer,
  start: number,
  end: number,
  firstOffset: number,
  compressed: boolean,
  metadata: JfrMetadata,
  pools: PoolIndex,
  warn: (message: string) => void,
): void {
  let offset = firstOffset;
  const seen = new Set<number>();
  for (let n = 0; n < MAX_CHECKPOINTS; n++) {
    if (offset < HEADER_BYTES || start + offset >= end || seen.has(offset)) {
      warn(`constant pool at chunk offset ${offset} is outside the chunk; names and stacks may be missing`);
      return;
    }
    seen.add(offset);
    const reader = new ByteReader(data, start + offset, end, compressed);
    let delta: number;
    try {
      reader.int(); // size
      reader.long(); // type (1)
      reader.long(); // start ticks
      reader.long(); // duration
      delta = reader.long();
      reader.u8(); // checkpoint kind / flush flag
      const poolCount = reader.int();
      for (let p = 0; p < poolCount; p++) {
        const typeId = reader.long();
        const count = reader.int();
        if (count < 0 || count > reader.remaining) throw new JfrOutOfBounds(reader.pos);
        let pool = pools.get(typeId);
        if (pool === undefined) pools.set(typeId, (pool = new Map()));
        for (let i = 0; i < count; i++) {
          const key = reader.long();
          pool.set(key, reader.pos);
          metadata.skipValue(reader, typeId);
        }
      }
    } catch (error) {
      warn(`constant pool at chunk offset ${offset} unreadable (${describe(error)}); kept the entries read before`);
      return;
    }
    if (delta === 0) return;
    offset += delta;
  }
}

function addSample(
  event: JfrObject,
  eventName: string,
  group: Group,
  state: RecordingState,
  resolver: Resolver,
  indexCache: Map<Group, Map<string, number>>,
  ticksToUs: (ticks: number) => number,
): boolean {
  let groupState = state.groups.get(group);
  if (groupState === undefined) state.groups.set(group, (groupState = { table: new StackTable(), counts: new Map() }));
  groupState.counts.set(eventName, (groupState.counts.get(eventName) ?? 0) + 1);

  const stackRef = event['stackTrace'];
  const threadRef = event['sampledThread'] ?? event['eventThread'];
  const leafField = LEAF_CLASS_FIELD[eventName];
  const leafRef = leafField === undefined ? undefined : event[leafField];
  const cacheKey = `${refKey(stackRef)}|${refKey(threadRef)}|${refKey(leafRef)}`;
  let cache = indexCache.get(group);
  if (cache === undefined) indexCache.set(group, (cache = new Map()));
  const startTime = event['startTime'];
  const ts = typeof startTime === 'number' ? Math.round(ticksToUs(startTime)) : Math.round(state.startUs);
  const samples = event['samples'];
  const weight = eventName === 'profiler.WallClockSample' && typeof samples === 'number' && samples > 0 ? samples : 1;

  let resolved = true;
  let index = cache.get(cacheKey);
  if (index === undefined) {
    let frames = resolver.stack(stackRef);
    if (frames === undefined) {
      resolved = false;
      frames = [{ name: '[unresolved stack trace]' }];
    }
    if (leafRef !== undefined) {
      const className = resolver.className(leafRef);
      if (className !== undefined) frames = [...frames, { name: className, type: 'class' }];
    }
    index = groupState.table.add(frames, 0, resolver.threadName(threadRef));
    cache.set(cacheKey, index);
  } else if (groupState.table.stacks[index]!.frames[0]?.name === '[unresolved stack trace]') {
    resolved = false;
  }
  groupState.table.addToStack(index, weight, ts);
  return resolved;
}

function refKey(value: JfrValue | undefined): string {
  return value instanceof JfrRef ? String(value.key) : '';
}

/** Per pool type id: entry key → byte offset of its encoded value. */
type PoolIndex = Map<number, Map<number, number>>;

/** Follows constant-pool references and caches the stacks, methods and threads it builds. */
class Resolver {
  private readonly stacks = new Map<number, FlameFrame[] | undefined>();
  private readonly frames = new Map<string, FlameFrame>();
  private readonly threads = new Map<number, string | undefined>();

  private readonly values = new Map<number, Map<number, JfrValue>>();

  constructor(
    private readonly pools: PoolIndex,
    private readonly decodeAt: (offset: number, typeId: number) => JfrValue,
  ) {}

  /** The value a reference points to; decoded entries are kept unless `remember` is false (stack traces). */
  deref(value: JfrValue | undefined, remember = true): JfrValue | undefined {
    let current = value;
    for (let hops = 0; current instanceof JfrRef && hops < 8; hops++) {
      const { typeId, key } = current;
      let known = this.values.get(typeId);
      const cached = known?.get(key);
      if (cached !== undefined) {
        current = cached;
        continue;
      }
      const offset = this.pools.get(typeId)?.get(key);
      if (offset === undefined) return undefined;
      current = this.decodeAt(offset, typeId);
      if (remember) {
        if (known === undefined) this.values.set(typeId, (known = new Map()));
        known.set(key, current);
      }
    }
    return current instanceof JfrRef ? undefined : current;
  }

  /** A string field, a pooled string, or a jdk.types.Symbol. */
  string(value: JfrValue | undefined): string | undefined {
    const target = this.deref(value);
    if (typeof target === 'string') return target;
    if (isObject(target)) return this.string(target['string']);
    return undefined;
  }

  className(value: JfrValue | undefined): string | undefined {
    const cls = this.deref(value);
    if (!isObject(cls)) return undefined;
    return this.string(cls['name'])?.replace(/\//g, '.');
  }

  threadName(value: JfrValue | undefined): string | undefined {
    if (!(value instanceof JfrRef)) return undefined;
    if (this.threads.has(value.key)) return this.threads.get(value.key);
    const thread = this.deref(value);
    const name = isObject(thread) ? (this.string(thread['javaName']) ?? this.string(thread['osName'])) : undefined;
    this.threads.set(value.key, name);
    return name;
  }

  /** Root-first frames of a jdk.types.StackTrace (stored leaf first). */
  stack(value: JfrValue | undefined): FlameFrame[] | undefined {
    if (!(value instanceof JfrRef)) return undefined;
    if (value.key === 0) return []; // key 0 is JFR's null: the event has no stack (e.g. compiler threads)
    if (this.stacks.has(value.key)) return this.stacks.get(value.key);
    const trace = this.deref(value, false);
    let frames: FlameFrame[] | undefined;
    if (isObject(trace) && Array.isArray(trace['frames'])) {
      frames = [];
      const list = trace['frames'];
      for (let i = list.length - 1; i >= 0; i--) {
        const frame = list[i];
        if (isObject(frame)) frames.push(this.frame(frame));
      }
    }
    this.stacks.set(value.key, frames);
    return frames;
  }

  private frame(frame: JfrObject): FlameFrame {
    const method = frame['method'];
    const typeRef = frame['type'];
    const cacheKey = `${method instanceof JfrRef ? method.key : '?'}:${typeRef instanceof JfrRef ? typeRef.key : '?'}`;
    let cached = this.frames.get(cacheKey);
    if (cached === undefined) {
      const frameType = this.deref(typeRef);
      const type = frameTypeFromJfr(isObject(frameType) ? this.string(frameType['description']) : undefined);
      cached = { name: this.methodName(method, type) };
      if (type !== undefined) cached.type = type;
      this.frames.set(cacheKey, cached);
    }
    return cached;
  }

  /**
   * `package.Class.method`. async-profiler stores the library of native, C++ and kernel frames as their class
   * ('libjvm.so'); those are shown by symbol alone, as its converters do.
   */
  private methodName(method: JfrValue | undefined, type: string | undefined): string {
    const resolved = this.deref(method);
    if (!isObject(resolved)) return '[unknown method]';
    const name = this.string(resolved['name']) ?? '[unknown]';
    const className = this.className(resolved['type']);
    if (className === undefined || className === '') return name;
    if ((type === 'native' || type === 'cpp' || type === 'kernel') && LIBRARY_NAME.test(className)) return name;
    return `${className}.${name}`;
  }
}

function isObject(value: JfrValue | undefined): value is JfrObject {
  return typeof value === 'object' && value !== null && !(value instanceof JfrRef) && !Array.isArray(value);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
