/** One sample line of the Prometheus text exposition format (also the OpenMetrics subset Flink can produce). */
export interface PrometheusSample {
  name: string;
  labels: Map<string, string>;
  value: number;
  /** Epoch ms when the line carries its own timestamp. */
  timestampMs?: number;
}

export type SampleParse = { sample: PrometheusSample } | { error: string };

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_START = /[a-zA-Z_]/;
const LABEL_CHAR = /[a-zA-Z0-9_]/;

/**
 * Hand-written scanner (one pass, no backtracking): label values may hold any character, including `,` `}` `=`
 * and escaped quotes, so no regular expression splits them safely.
 */
export function parseSampleLine(text: string): SampleParse {
  let at = 0;
  const skipBlanks = (): void => {
    while (at < text.length && (text[at] === ' ' || text[at] === '\t')) at++;
  };
  skipBlanks();
  const nameStart = at;
  if (at >= text.length || !NAME_START.test(text[at])) return { error: 'metric name expected' };
  while (at < text.length && NAME_CHAR.test(text[at])) at++;
  const name = text.slice(nameStart, at);
  const labels = new Map<string, string>();
  skipBlanks();
  if (text[at] === '{') {
    at++;
    for (;;) {
      while (at < text.length && (text[at] === ' ' || text[at] === '\t' || text[at] === ',')) at++;
      if (at >= text.length) return { error: 'unterminated label set' };
      if (text[at] === '}') {
        at++;
        break;
      }
      const labelStart = at;
      if (!LABEL_START.test(text[at])) return { error: `label name expected at column ${at + 1}` };
      while (at < text.length && LABEL_CHAR.test(text[at])) at++;
      const label = text.slice(labelStart, at);
      skipBlanks();
      if (text[at] !== '=') return { error: `'=' expected after label ${label}` };
      at++;
      skipBlanks();
      if (text[at] !== '"') return { error: `quoted value expected for label ${label}` };
      at++;
      let value = '';
      let chunkStart = at;
      for (;;) {
        if (at >= text.length) return { error: `unterminated value of label ${label}` };
        const c = text[at];
        if (c === '"') break;
        if (c === '\\' && at + 1 < text.length) {
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
