import type { AttrValue, EventRecord } from '../../model/records.js';
import { NUMERIC_GROUPS } from './catalogue.js';
import {
  applyAttemptId,
  applyExecutionVertexId,
  applyLocation,
  applyResourceId,
  applyTaskName,
  isAttemptId,
} from './ids.js';
import { exceptionHeader } from './stack.js';

/** Attribute strings are capped: a 1 MB message must not become a 1 MB JSON attribute on every event. */
export const MAX_ATTR_CHARS = 2000;

export function clip(text: string): string {
  return text.length > MAX_ATTR_CHARS ? `${text.slice(0, MAX_ATTR_CHARS)}…` : text;
}

type GroupHandler = (event: EventRecord, attrs: Record<string, AttrValue>, value: string) => void;

const SAVEPOINT = /savepoint/i;
const UNALIGNED = /unaligned/i;

/** What each meaningful group name of the catalogue fills in. Groups not listed become string attributes. */
const GROUP_HANDLERS: Readonly<Record<string, GroupHandler>> = {
  job: (event, _attrs, value) => {
    event.job = value;
  },
  ckpt: (event, attrs, value) => {
    // E2 prints the literal UNKNOWN_CHECKPOINT_ID when the failure happened before an id was assigned.
    if (value === 'UNKNOWN_CHECKPOINT_ID') attrs.checkpointIdUnknown = true;
    else event.checkpointId = Number(value);
  },
  task: (event, _attrs, value) => applyTaskName(event, value),
  attempt: (event, _attrs, value) => applyAttemptId(event, value),
  taskOrAttempt: (event, _attrs, value) => (isAttemptId(value) ? applyAttemptId(event, value) : applyTaskName(event, value)),
  location: (event, attrs, value) => applyLocation(event, attrs, value),
  tm: (event, attrs, value) => applyResourceId(event, attrs, value),
  evid: (event, _attrs, value) => applyExecutionVertexId(event, value),
  attemptNo: (event, _attrs, value) => {
    event.attemptNumber = Number(value);
  },
  checkpointType: (_event, attrs, value) => {
    attrs.checkpointType = clip(value);
    attrs.savepoint = SAVEPOINT.test(value);
    // Only the text can say "unaligned"; CHECKPOINT says nothing about alignment, so it stays unknown.
    if (UNALIGNED.test(value)) attrs.unaligned = true;
  },
  unaligned: (_event, attrs, value) => {
    attrs.unaligned = value === 'true';
  },
  // Consumed by the failure-reason lookup, which writes attrs.reason / attrs.reasonCode.
  reasonText: () => undefined,
  cause: (_event, attrs, value) => {
    // slf4j-simple and test harnesses print the placeholder itself when the Throwable is the extra argument.
    if (value === '{}' || value.length === 0) return;
    attrs.cause = clip(value);
    const header = exceptionHeader(value);
    if (header !== undefined) {
      attrs.exceptionClass = header.className;
      if (header.message !== undefined) attrs.message = clip(header.message);
    }
  },
};

function numeric(value: string): number | undefined {
  const n = Number(value);
  // Flink prints -1 for "unknown" durations and ids; unknown stays undefined, never a number.
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function handlerFor(name: string): GroupHandler {
  const known = GROUP_HANDLERS[name];
  if (known !== undefined) return known;
  if (NUMERIC_GROUPS.has(name)) {
    return (_event, attrs, value) => {
      const n = numeric(value);
      if (n !== undefined) attrs[name] = n;
    };
  }
  return (_event, attrs, value) => {
    attrs[name] = clip(value);
  };
}

/**
 * A catalogue regex made fast to run: the same pattern with its group names stripped (V8 then skips building a
 * `groups` object per match) and, per capture index, the group's name and what it fills in.
 */
export interface CompiledPattern {
  re: RegExp;
  names: readonly string[];
  handlers: readonly GroupHandler[];
}

/** Capture groups of a regex source in order: their names ('' for unnamed), and the source without names. */
function stripGroupNames(source: string): { source: string; names: string[] } {
  const names: string[] = [];
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      out += source.slice(i, i + 2);
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      continue;
    }
    if (c === '(') {
      if (source[i + 1] !== '?') {
        names.push('');
      } else if (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!') {
        const close = source.indexOf('>', i);
        names.push(source.slice(i + 3, close));
        out += '(';
        i = close;
        continue;
      }
    }
    out += c;
  }
  return { source: out, names };
}

export function compilePattern(re: RegExp): CompiledPattern {
  const { source, names } = stripGroupNames(re.source);
  return { re: new RegExp(source, re.flags), names, handlers: names.map(handlerFor) };
}

/** Fills event fields and attributes from a match of a compiled pattern. */
export function applyMatch(event: EventRecord, attrs: Record<string, AttrValue>, match: RegExpExecArray, pattern: CompiledPattern): void {
  const handlers = pattern.handlers;
  for (let i = 0; i < handlers.length; i++) {
    const value = match[i + 1];
    if (value !== undefined && pattern.names[i] !== '') handlers[i](event, attrs, value);
  }
}

/** The named groups of a match, for the few consumers that want them by name (refiners, reason lookup). */
export function groupsOf(match: RegExpExecArray, pattern: CompiledPattern): Record<string, string | undefined> {
  const groups: Record<string, string | undefined> = {};
  for (let i = 0; i < pattern.names.length; i++) {
    const name = pattern.names[i];
    if (name !== '') groups[name] = match[i + 1];
  }
  return groups;
}
