/** One sample line of the Prometheus text exposition format (also the OpenMetrics subset Flink can produce). */
export interface PrometheusSample {
  name: string;
  labels: Map<string, string>;
  value: number;
  /** Epoch ms when the line carries its own timestamp. */
  timestampMs?: number;
}

export type SampleParse = { sample: PrometheusSample } | { error: string };

function isLetterOrUnderscore(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const COLON = 58;
const QUOTE = 34;
const BACKSLASH = 92;

/**
 * Hand-written scanner (one pass, no backtracking): label values may hold any character, including `,` `}` `=`
 * and escaped quotes, so no regular expression splits them safely.
 */
export function parseSampleLine(text: string): SampleParse {
  const n = text.length;
  let at = 0;
  const skipBlanks = (): void => {
    while (at < n && (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9)) at++;
  };
  skipBlanks();
  const nameStart = at;
  if (at >= n || !(isLetterOrUnderscore(text.charCodeAt(at)) || text.charCodeAt(at) === COLON)) return { error: 'metric name expected' };
  for (let c = text.charCodeAt(at); at < n && (isLetterOrUnderscore(c) || isDigit(c) || c === COLON); c = text.charCodeAt(++at));
  const name = text.slice(nameStart, at);
  const labels = new Map<string, string>();
  // Found once and moved forward only when passed, so a line with many labels is still scanned in linear time.
  let nextEscape = text.indexOf('\\');
  skipBlanks();
  if (text[at] === '{') {
    at++;
    for (;;) {
      while (at < n && (text[at] === ' ' || text[at] === '\t' || text[at] === ',')) at++;
      if (at >= n) return { error: 'unterminated label set' };
      if (text[at] === '}') {
        at++;
        break;
      }
      const labelStart = at;
      if (!isLetterOrUnderscore(text.charCodeAt(at))) return { error: `label name expected at column ${at + 1}` };
      for (let c = text.charCodeAt(at); at < n && (isLetterOrUnderscore(c) || isDigit(c)); c = text.charCodeAt(++at));
      const label = text.slice(labelStart, at);
      skipBlanks();
      if (text[at] !== '=') return { error: `'=' expected after label ${label}` };
      at++;
      skipBlanks();
      if (text[at] !== '"') return { error: `quoted value expected for label ${label}` };
      at++;
      const close = text.indexOf('"', at);
      if (close < 0) return { error: `unterminated value of label ${label}` };
      if (nextEscape >= 0 && nextEscape < at) nextEscape = text.indexOf('\\', at);
      if (nextEscape < 0 || nextEscape > close) {
        labels.set(label, text.slice(at, close));
        at = close + 1;
        continue;
      }
      let value = '';
      let chunkStart = at;
      for (;;) {
        if (at >= n) return { error: `unterminated value of label ${label}` };
        const c = text.charCodeAt(at);
        if (c === QUOTE) break;
        if (c === BACKSLASH && at + 1 < n) {
          value += text.slice(chunkStart, at);
          const escaped = text[at + 1];
          value += escaped === 'n' ? '\n' : escaped;
          at += 2;
          chunkStart = at;
          continue;
        }
        at++;
      }
      value += text.slice(chunkStart, at);
      at++;
      labels.set(label, value);
    }
  }
  const fields = text.slice(at).trim().split(/[ \t]+/);
  if (fields.length === 0 || fields[0] === '') return { error: `value missing for ${name}` };
  const value = parseNumber(fields[0]);
  if (value === undefined) return { error: `value '${fields[0].slice(0, 40)}' of ${name} is not a number` };
  if (fields.length === 1) return { sample: { name, labels, value } };
  const stamp = fields[1];
  // Prometheus text format: integer ms. OpenMetrics: seconds with a fraction.
  const timestampMs = /^-?\d+$/.test(stamp) ? Number(stamp) : stamp.includes('.') ? Number(stamp) * 1000 : Number.NaN;
  if (!Number.isFinite(timestampMs)) return { error: `timestamp '${stamp.slice(0, 40)}' of ${name} is not a number` };
  return { sample: { name, labels, value, timestampMs } };
}

function parseNumber(text: string): number | undefined {
  switch (text) {
    case 'NaN':
      return Number.NaN;
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
  }
  if (!/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}
