import type { BufferParser, ParseContext } from '../types.js';
import { isBackpressure, readBackpressure } from './backpressure.js';
import {
  isCheckpointConfig, isCheckpointOverview, isCheckpointStatistics, isSubtaskDetails, readCheckpoint,
  readCheckpointConfig, readCheckpointOverview, readSubtaskDetails,
} from './checkpoints.js';
import { isExceptions, readExceptions } from './exceptions.js';
import { isJobDetails, isJobPlan, isVertexDetails, readJobDetails, readJobPlan, readVertexDetails } from './job.js';
import { isObject, stringAt, type JsonObject } from './json-read.js';
import { jsonErrorOffset, lineAndColumn } from './json-error.js';
import { hintsFromPath, mergeHints, type PathHints } from './path-hints.js';
import { RestRecords, type RestScope } from './records.js';

/** Job id used when neither the body nor the path names the job, so the rows still land somewhere visible. */
export const UNKNOWN_JOB = 'unknown-job';
/** Wrappers inside wrappers: deep enough for archive → map → array, shallow enough to bound odd inputs. */
const MAX_WRAPPER_DEPTH = 4;
const LISTED_UNKNOWN = 10;

interface Shape {
  name: string;
  matches(o: JsonObject): boolean;
  read(o: JsonObject, scope: RestScope): void;
}

/** Most specific first: a subtask-details body also has a checkpoint `id` and `status`. */
const SHAPES: readonly Shape[] = [
  { name: 'checkpoints', matches: isCheckpointOverview, read: readCheckpointOverview },
  { name: 'checkpoint-config', matches: isCheckpointConfig, read: (o, scope) => scope.sink.facts({ config: readCheckpointConfig(o) }) },
  { name: 'checkpoint-subtasks', matches: isSubtaskDetails, read: (o, scope) => readSubtaskDetails(o, scope) },
  { name: 'backpressure', matches: isBackpressure, read: readBackpressure },
  { name: 'checkpoint-details', matches: isCheckpointStatistics, read: readCheckpoint },
  { name: 'job', matches: isJobDetails, read: readJobDetails },
  { name: 'job-plan', matches: isJobPlan, read: readJobPlan },
  { name: 'vertex', matches: isVertexDetails, read: readVertexDetails },
  { name: 'exceptions', matches: isExceptions, read: readExceptions },
];

/**
 * Offline dumps of Flink's REST API (flink-formats §3), recognised by the shape of the JSON, not the file name:
 * one response per file, a JSON array of responses, an object mapping URLs to responses (dump tools), or a
 * HistoryServer archive (`{"archive":[{"path":…,"json":"…"}]}`). Job, vertex and checkpoint ids missing from a
 * body are taken from the path of the file or member (see path-hints.ts).
 */
export const parseRestJson: BufferParser = (data, ctx) => {
  let text = data.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const offset = jsonErrorOffset(text, error);
    const { line, column } = lineAndColumn(text, offset);
    const reason = error instanceof Error ? error.message : String(error);
    ctx.sink.warning({ line, message: `invalid JSON at line ${line}, column ${column} (offset ${offset}): ${reason}` });
    return;
  }
  const reader = new RestReader(ctx);
  reader.readTop(value);
  reader.finish();
};

class RestReader {
  private readonly records: RestRecords;
  private readonly fileHints: PathHints;
  private unknownJobWarned = false;
  private readonly unrecognised: string[] = [];

  constructor(private readonly ctx: ParseContext) {
    this.records = new RestRecords(ctx.sink);
    this.fileHints = hintsFromPath(ctx.path);
  }

  readTop(value: unknown): void {
    if (this.read(value, this.fileHints, '', 0)) return;
    if (isObject(value)) {
      const keys = Object.keys(value).sort();
      this.ctx.sink.warning({ message: `JSON shape not recognised: keys ${keys.slice(0, 20).join(',')}${keys.length > 20 ? ',…' : ''}` });
    } else {
      this.ctx.sink.warning({ message: `JSON shape not recognised: ${Array.isArray(value) ? 'an array of no known responses' : `a ${typeof value}`}` });
    }
  }

  finish(): void {
    this.records.flush();
    if (this.unrecognised.length > 0) {
      const listed = this.unrecognised.slice(0, LISTED_UNKNOWN).join(', ');
      const more = this.unrecognised.length > LISTED_UNKNOWN ? ` and ${this.unrecognised.length - LISTED_UNKNOWN} more` : '';
      this.ctx.sink.warning({ message: `${this.unrecognised.length} members not read (shape not recognised): ${listed}${more}` });
    }
  }

  /** True when the value, or at least one member of it, was a known response. */
  private read(value: unknown, hints: PathHints, label: string, depth: number): boolean {
    if (Array.isArray(value)) return this.readMembers(value.map((member, index) => [`${label}[${index}]`, member]), hints, depth, false);
    if (!isObject(value)) return false;
    const shape = SHAPES.find((candidate) => candidate.matches(value));
    if (shape !== undefined) {
      shape.read(value, this.scope(hints, label));
      return true;
    }
    const archive = value.archive;
    if (Array.isArray(archive)) return this.readArchive(archive, hints, depth);
    const entry = this.wrappedEntry(value);
    if (entry !== undefined) return this.readMember(entry.path, entry.body, hints, depth);
    return this.readMembers(Object.entries(value), hints, depth, true);
  }

  private readMembers(members: Array<[string, unknown]>, hints: PathHints, depth: number, keysArePaths: boolean): boolean {
    if (depth >= MAX_WRAPPER_DEPTH) return false;
    const containers = members.filter(([, member]) => isObject(member) || Array.isArray(member));
    if (containers.length === 0) return false;
    let any = false;
    const missed: string[] = [];
    for (const [key, member] of containers) {
      const memberHints = keysArePaths ? mergeHints(hints, hintsFromPath(key)) : hints;
      if (this.read(member, memberHints, key, depth + 1)) any = true;
      else missed.push(key);
    }
    if (any) this.unrecognised.push(...missed);
    return any;
  }

  /** HistoryServer archive: each entry's `json` is the response body as a string. */
  private readArchive(entries: unknown[], hints: PathHints, depth: number): boolean {
    let any = false;
    for (const entry of entries) {
      const wrapped = isObject(entry) ? this.wrappedEntry(entry) : undefined;
      if (wrapped !== undefined && this.readMember(wrapped.path, wrapped.body, hints, depth)) any = true;
      else if (wrapped !== undefined) this.unrecognised.push(wrapped.path);
    }
    return any;
  }

  private readMember(path: string, body: unknown, hints: PathHints, depth: number): boolean {
    let value = body;
    if (typeof body === 'string') {
      try {
        value = JSON.parse(body);
      } catch (error) {
        this.ctx.sink.warning({ message: `invalid JSON in member ${path}: ${error instanceof Error ? error.message : String(error)}` });
        return true;
      }
    }
    return this.read(value, mergeHints(hints, hintsFromPath(path)), path, depth + 1);
  }

  /** `{path|url|endpoint, json|body|response}` pairs written by the HistoryServer and dump scripts. */
  private wrappedEntry(o: JsonObject): { path: string; body: unknown } | undefined {
    const path = stringAt(o, 'path') ?? stringAt(o, 'url') ?? stringAt(o, 'endpoint');
    if (path === undefined) return undefined;
    const key = ['json', 'body', 'response'].find((candidate) => candidate in o);
    return key === undefined ? undefined : { path, body: o[key] };
  }

  private scope(hints: PathHints, label: string): RestScope {
    const where = label === '' ? '' : ` (${label})`;
    return {
      hints,
      records: this.records,
      sink: this.ctx.sink,
      job: (fromBody?: string) => {
        const job = fromBody ?? hints.job;
        if (job !== undefined) return job;
        if (!this.unknownJobWarned) {
          this.unknownJobWarned = true;
          this.ctx.sink.warning({ message: `no job id in the response or its path${where}: rows filed under '${UNKNOWN_JOB}'` });
        }
        return UNKNOWN_JOB;
      },
      warning: (message: string) => this.ctx.sink.warning({ message: `${message}${where}` }),
    };
  }
}
