import type { EpochMicros, ZoneClock } from '../../common/time.js';
import type { FlameProfileRecord } from '../../model/records.js';

export type FlameMode = FlameProfileRecord['mode'];

/** What a profile's path says about it: profilers and Flink encode mode, capture time and TaskManager in names. */
export interface PathHints {
  tm?: string;
  host?: string;
  job?: string;
  vertexId?: string;
  subtask?: number;
  mode?: FlameMode;
  /** Capture time from the file name on the incident axis (never exact: start or stop is producer-specific). */
  captureUs?: EpochMicros;
  /** Flink REST flame graph type (FULL / ON_CPU / OFF_CPU) when the path carries `type=`. */
  flinkType?: 'FULL' | 'ON_CPU' | 'OFF_CPU';
}

// Flink's built-in profiler (1.19+, FLIP-375): <resourceID>_<MODE>_<yyyy-MM-dd_HH_mm_ss>.html, stop time in local zone.
const FLINK_PROFILER_NAME = /^(.+)_(ITIMER|CPU|LOCK|WALL|ALLOC)_(\d{4}-\d{2}-\d{2}_\d{2}_\d{2}_\d{2})\.[a-z]+$/;
// Resource ids of standalone TaskManagers: '<host>:<port>-<6 hex>'.
const STANDALONE_RESOURCE_ID = /^([^:/\s]+):\d{1,5}-[0-9a-f]{6}$/;
const TM_NAME = /(?:^|[^a-z0-9])((?:flink-)?(?:taskmanager|tm)[-_]\d+(?:-\d+)*)(?![0-9a-z])/i;
const YARN_CONTAINER = /(?:^|[^a-z0-9])(container_(?:e\d+_)?\d+_\d+_\d+_\d+)(?![0-9])/i;
const CAPTURE_TIME = /(?:^|[^0-9])(\d{4})-?(\d{2})-?(\d{2})[T_ -]?(\d{2})[-_:.]?(\d{2})[-_:.]?(\d{2})(?![0-9])/;
const FLINK_TYPE = /(?:^|[^a-z])type=(full|on_cpu|off_cpu)(?![a-z_])/i;
const MODE_WORDS: ReadonlyArray<[RegExp, FlameMode, PathHints['flinkType']?]> = [
  [/(?:^|[^a-z])off[-_]?cpu(?![a-z])/i, 'off-cpu', 'OFF_CPU'],
  [/(?:^|[^a-z])on[-_]?cpu(?![a-z])/i, 'cpu', 'ON_CPU'],
  [/(?:^|[^a-z])itimer(?![a-z])/i, 'itimer'],
  [/(?:^|[^a-z])(?:cpu|ctimer)(?![a-z])/i, 'cpu'],
  [/(?:^|[^a-z])(?:wall|wallclock)(?![a-z])/i, 'wall'],
  [/(?:^|[^a-z])alloc(?:ation)?s?(?![a-z])/i, 'alloc'],
  [/(?:^|[^a-z])locks?(?![a-z])/i, 'lock'],
];

export function flinkTypeToMode(type: NonNullable<PathHints['flinkType']>): FlameMode {
  switch (type) {
    case 'FULL':
      return 'wall';
    case 'ON_CPU':
      return 'cpu';
    case 'OFF_CPU':
      return 'off-cpu';
  }
}

export function hintsFromPath(path: string, clock: ZoneClock): PathHints {
  const hints: PathHints = {};
  const segments = path.split(/[/\\!]+/).filter((s) => s.length > 0);
  const base = segments.at(-1) ?? '';

  const builtin = FLINK_PROFILER_NAME.exec(base);
  if (builtin !== null) {
    hints.tm = builtin[1]!;
    hints.mode = builtin[2]!.toLowerCase() as FlameMode;
    const host = STANDALONE_RESOURCE_ID.exec(builtin[1]!);
    if (host !== null) hints.host = host[1]!;
  }

  const vertex = /(?:^|\/)vertices\/([0-9a-f]{32})(?:\/|$)/i.exec(path);
  if (vertex !== null) hints.vertexId = vertex[1]!.toLowerCase();
  const job = /(?:^|\/)jobs\/([0-9a-f]{32})(?:\/|$)/i.exec(path);
  if (job !== null) hints.job = job[1]!.toLowerCase();
  const subtask = /subtaskindex=(\d{1,6})(?![0-9])/i.exec(path);
  if (subtask !== null) hints.subtask = Number(subtask[1]);

  const flinkType = FLINK_TYPE.exec(path);
  if (flinkType !== null) {
    hints.flinkType = flinkType[1]!.toUpperCase() as PathHints['flinkType'];
    hints.mode ??= flinkTypeToMode(hints.flinkType!);
  }
  if (hints.mode === undefined) {
    for (const [pattern, mode, flinkType] of MODE_WORDS) {
      if (pattern.test(base)) {
        hints.mode = mode;
        if (flinkType !== undefined) hints.flinkType = flinkType;
        break;
      }
    }
  }

  if (hints.tm === undefined) {
    for (let i = segments.length - 1; i >= 0 && hints.tm === undefined; i--) {
      const match = TM_NAME.exec(segments[i]!) ?? YARN_CONTAINER.exec(segments[i]!);
      if (match !== null) hints.tm = match[1]!;
    }
  }

  const time = CAPTURE_TIME.exec(base);
  if (time !== null) {
    const [year, month, day, hour, minute, second] = time.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    if (year >= 1990 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60) {
      hints.captureUs = clock.toUtc(year, month, day, hour, minute, second, 0);
    }
  }
  return hints;
}

/** Copies the location hints a profile record carries (tm, host, vertex, subtask). */
export function locationOf(hints: PathHints): Pick<FlameProfileRecord, 'tm' | 'host' | 'vertexId' | 'subtask'> {
  const location: Pick<FlameProfileRecord, 'tm' | 'host' | 'vertexId' | 'subtask'> = {};
  if (hints.tm !== undefined) location.tm = hints.tm;
  if (hints.host !== undefined) location.host = hints.host;
  if (hints.vertexId !== undefined) location.vertexId = hints.vertexId;
  if (hints.subtask !== undefined) location.subtask = hints.subtask;
  return location;
}
