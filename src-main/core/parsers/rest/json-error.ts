/**
 * Where a JSON text first goes wrong. V8 names the position for most errors but not for "Unexpected token"
 * (Node 20: `Unexpected token '}', "…" is not valid JSON`), so a small validating scan finds it. Iterative:
 * a deeply nested file cannot overflow the stack.
 */
export function jsonErrorOffset(text: string, error: unknown): number {
  const message = error instanceof Error ? error.message : '';
  const stated = /at position (\d+)/.exec(message);
  if (stated !== null) return Math.min(Number(stated[1]), text.length);
  const found = scanForJsonError(text);
  return found < 0 ? text.length : found;
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = '"\\/bfnrt';

/** Offset of the first error, or -1 when the text is valid JSON. */
export function scanForJsonError(text: string): number {
  const n = text.length;
  const open: string[] = [];
  let i = 0;
  let state: 'value' | 'key' | 'after-value' = 'value';
  const skipBlanks = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  /** Moves past a string starting at i; false (with i at the fault) when it is malformed. */
  const string = (): boolean => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 92) {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (next !== undefined && ESCAPES.includes(next)) {
          i += 2;
        } else {
          return false;
        }
        continue;
      }
      i++;
    }
    return false;
  };
  for (;;) {
    skipBlanks();
    if (state === 'value') {
      const c = text[i];
      if (c === '{' || c === '[') {
        i++;
        skipBlanks();
        if (text[i] === (c === '{' ? '}' : ']')) {
          i++;
          state = 'after-value';
        } else {
          open.push(c);
          state = c === '{' ? 'key' : 'value';
        }
      } else if (c === '"') {
        if (!string()) return i;
        state = 'after-value';
      } else if (c === 't' || c === 'f' || c === 'n') {
        const word = c === 't' ? 'true' : c === 'f' ? 'false' : 'null';
        if (!text.startsWith(word, i)) return i;
        i += word.length;
        state = 'after-value';
      } else {
        NUMBER.lastIndex = i;
        if (!NUMBER.test(text)) return i;
        i = NUMBER.lastIndex;
        state = 'after-value';
      }
    } else if (state === 'key') {
      if (text[i] !== '"' || !string()) return i;
      skipBlanks();
      if (text[i] !== ':') return i;
      i++;
      state = 'value';
    } else {
      const top = open[open.length - 1];
      if (top === undefined) return i < n ? i : -1;
      const c = text[i];
      if (c === ',') {
        i++;
        state = top === '{' ? 'key' : 'value';
      } else if (c === (top === '{' ? '}' : ']')) {
        i++;
        open.pop();
      } else {
        return i;
      }
    }
  }
}
