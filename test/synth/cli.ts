import { parseArgs } from 'node:util';
import type { GenerateOptions } from './generate.js';
import { DEFAULT_SEED, generateBundle } from './generate.js';
import type { ScenarioName } from './plan.js';
import { SCENARIOS } from './plan.js';
import { FLINK_LINES, isFlinkLine } from './versions.js';

/**
 * `npx tsx test/synth/cli.ts --scenario <name> --version <1.10|1.13|1.17|1.20> --tms N --out <dir>
 *   [--size 2GB] [--seed N] [--archive zip|tgz|none] [--debug] [--near-miss] [--mixed-versions] [--nest-jm-logs]`
 */
const USAGE = `usage: npx tsx test/synth/cli.ts --scenario <${SCENARIOS.join('|')}> --version <${FLINK_LINES.join('|')}> --tms N --out <dir>
       [--size <bytes, e.g. 500MB, 2GB>] [--seed N] [--archive zip|tgz|none] [--debug] [--near-miss]
       [--mixed-versions] (three clusters 1.10/1.13/1.17 in one bundle) [--nest-jm-logs] (JM logs in a nested tar.gz)`;

export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([KMG]?)i?B?$/i.exec(text.trim());
  if (match === null) throw new Error(`cannot read size "${text}" (use e.g. 300KB, 50MB, 2GB)`);
  const unit = match[2].toUpperCase();
  const factor = unit === 'G' ? 1024 ** 3 : unit === 'M' ? 1024 ** 2 : unit === 'K' ? 1024 : 1;
  return Math.round(Number(match[1]) * factor);
}

export function parseCli(argv: string[]): GenerateOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' }, version: { type: 'string', default: '1.17' }, tms: { type: 'string', default: '4' }, out: { type: 'string' },
      size: { type: 'string' }, seed: { type: 'string' }, archive: { type: 'string', default: 'none' }, debug: { type: 'boolean', default: false },
      'near-miss': { type: 'boolean', default: false }, 'mixed-versions': { type: 'boolean', default: false }, 'nest-jm-logs': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const scenario = values.scenario;
  if (scenario === undefined || !(SCENARIOS as readonly string[]).includes(scenario)) throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}`);
  if (values.out === undefined) throw new Error('--out is required');
  const version = values.version ?? '1.17';
  if (!isFlinkLine(version)) throw new Error(`--version must be one of ${FLINK_LINES.join(', ')}`);
  const archive = values.archive ?? 'none';
  if (archive !== 'zip' && archive !== 'tgz' && archive !== 'none') throw new Error('--archive must be zip, tgz or none');
  const tms = Number(values.tms);
  if (!Number.isInteger(tms) || tms < 1) throw new Error('--tms must be a positive integer');
  return {
    scenario: scenario as ScenarioName, version, tms, out: values.out, archive,
    sizeBytes: values.size === undefined ? null : parseSize(values.size),
    seed: values.seed === undefined ? DEFAULT_SEED : Number(values.seed),
    debug: values.debug ?? false, nearMiss: values['near-miss'] ?? false,
    mixedVersions: values['mixed-versions'] ?? false, nestJmLogs: values['nest-jm-logs'] ?? false,
  };
}

async function main(): Promise<void> {
  let options: GenerateOptions;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    console.error(USAGE);
    process.exit(2);
  }
  const started = Date.now();
  const summary = await generateBundle(options);
  const mb = (n: number): string => (n / 1048576).toFixed(1);
  console.log(`wrote ${summary.files.length} files to ${summary.out} in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
    `${mb(summary.flinkLogBytes)} MB of Flink logs (${summary.flinkLogLines} lines), ${mb(summary.totalBytes)} MB in total`);
  if (summary.archive !== null) console.log(`archive: ${summary.archive}`);
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  void main();
}
