import type { LineLayout, LogRecord } from './layout.js';
import type { NoiseSource } from './noise.js';
import type { Prng } from './prng.js';
import { FileSink } from './sink.js';

/** How much noise a file gets: a byte budget (for `--size`) or a steady rate (the realistic default). */
export type NoiseSpec = { kind: 'bytes'; bytes: number } | { kind: 'rate'; linesPerSecond: number };

export interface FlinkLogJob {
  path: string;
  layout: LineLayout;
  scripted: LogRecord[];
  noise: NoiseSource;
  spec: NoiseSpec;
  /** Noise starts after start-up and ends with the bundle. */
  fromMs: number;
  toMs: number;
  /** Windows in which the JVM was stopped and wrote nothing. */
  silences: Array<[number, number]>;
  rng: Prng;
}

export interface WrittenFile {
  path: string;
  bytes: number;
  lines: number;
}

/** Streams one Flink log: the scripted records merged in time order with noise records generated on the fly. */
export async function writeFlinkLog(job: FlinkLogJob): Promise<WrittenFile> {
  const sink = new FileSink(job.path);
  const span = Math.max(1, job.toMs - job.fromMs);
  let noiseBytes = 0;
  let lastNoiseMs = job.fromMs;
  let physicalLines = 0;
  const nextNoiseTime = (): number => {
    let t: number;
    if (job.spec.kind === 'bytes') {
      if (noiseBytes >= job.spec.bytes) return Number.POSITIVE_INFINITY;
      t = job.fromMs + span * (noiseBytes / job.spec.bytes) + job.rng.float(0, 40);
    } else {
      if (job.spec.linesPerSecond <= 0) return Number.POSITIVE_INFINITY;
      t = lastNoiseMs + job.rng.exponential(1000 / job.spec.linesPerSecond);
      if (t > job.toMs) return Number.POSITIVE_INFINITY;
    }
    for (const [from, to] of job.silences) if (t >= from && t < to) t = to + job.rng.float(1, 30);
    return Math.max(lastNoiseMs, Math.round(t));
  };
  const countLines = (text: string): number => {
    let n = 0;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n += 1;
    return n;
  };
  let noiseAt = nextNoiseTime();
  let index = 0;
  while (index < job.scripted.length || noiseAt !== Number.POSITIVE_INFINITY) {
    const scripted = job.scripted[index];
    let text: string;
    if (scripted !== undefined && scripted.t <= noiseAt) {
      text = job.layout.render(scripted);
      index += 1;
    } else {
      text = job.layout.render({ ...job.noise.next(), t: noiseAt });
      noiseBytes += text.length;
      lastNoiseMs = noiseAt;
      noiseAt = nextNoiseTime();
    }
    physicalLines += countLines(text);
    if (sink.add(text)) await sink.flush();
  }
  await sink.close();
  return { path: job.path, bytes: sink.bytes, lines: physicalLines };
}
