/** Reading the continuation lines of a record as a Java stack trace (flink-formats §1.1 item 6). */

const TAB = 9;
const SPACE = 32;

function firstNonBlank(line: string): number {
  let at = 0;
  for (;;) {
    const c = line.charCodeAt(at);
    if (c !== TAB && c !== SPACE) return at;
    at++;
  }
}

/** `\tat pkg.Class.method(File.java:12) ~[jar:ver]` and `\t... 12 more`: frames carry no searchable text. */
export function isFrameLine(line: string): boolean {
  const at = firstNonBlank(line);
  if (at === 0) return false;
  return line.startsWith('at ', at) || line.startsWith('... ', at);
}

/** The frame of an `at` line without log4j 2's packaging suffix (` ~[flink-dist-1.17.2.jar:1.17.2]`, ` [?:?]`). */
export function frameText(line: string): string | undefined {
  const at = firstNonBlank(line);
  if (!line.startsWith('at ', at)) return undefined;
  let end = line.length;
  if (line.charCodeAt(end - 1) === 93 /* ] */) {
    const open = line.lastIndexOf(' ', end);
    if (open > at) {
      const suffix = line.charCodeAt(open + 1) === 126 /* ~ */ ? open + 2 : open + 1;
      if (line.charCodeAt(suffix) === 91 /* [ */) end = open;
    }
  }
  return line.slice(at + 3, end);
}

const HEADER = /^(?:Caused by: |Suppressed: |Exception in thread "[^"]*" )?((?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*)(?:: ?(.*))?$/;

export interface ExceptionHeader {
  className: string;
  message: string | undefined;
  causedBy: boolean;
}

/** `java.io.IOException: msg`, `Caused by: …`, `\tSuppressed: …`: a qualified class name, optionally with a message. */
export function exceptionHeader(line: string): ExceptionHeader | undefined {
  const text = line.slice(firstNonBlank(line));
  const m = HEADER.exec(text);
  if (m === null) return undefined;
  const className = m[1];
  // A qualified name alone ("org.apache.flink.runtime") is too weak; demand a Throwable-looking simple name.
  const simple = className.slice(className.lastIndexOf('.') + 1);
  if (m[2] === undefined && !/(?:Exception|Error|Throwable)$/.test(simple)) return undefined;
  if (!/^[A-Z]/.test(simple)) return undefined;
  return { className, message: m[2], causedBy: text.startsWith('Caused by: ') };
}

export interface StackSummary {
  first: ExceptionHeader | undefined;
  /** The last `Caused by:` of the chain. */
  root: ExceptionHeader | undefined;
  topFrame: string | undefined;
  hasFrames: boolean;
  /** Exception messages of the chain, outermost first (for failure-reason lookup). */
  messages: string[];
}

/** Summarises retained continuation lines: outermost exception, root cause, first frame. */
export function summarizeStack(lines: readonly string[]): StackSummary {
  const summary: StackSummary = { first: undefined, root: undefined, topFrame: undefined, hasFrames: false, messages: [] };
  for (const line of lines) {
    if (isFrameLine(line)) {
      summary.hasFrames = true;
      if (summary.topFrame === undefined) summary.topFrame = frameText(line);
      continue;
    }
    const header = exceptionHeader(line);
    if (header === undefined) continue;
    if (summary.first === undefined) summary.first = header;
    if (header.causedBy) summary.root = header;
    if (header.message !== undefined && summary.messages.length < 8) summary.messages.push(header.message);
  }
  return summary;
}
