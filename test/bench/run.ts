import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseSize } from '../synth/cli.js';
import type { BundleSummary, GenerateOptions } from '../synth/generate.js';
import { DEFAULT_SEED, generateBundle } from '../synth/generate.js';
import { gcParseBench } from './gc-parse-bench.js';
import { ingestBench } from './ingest-bench.js';
import { reportBench } from './report-bench.js';
import { rebuildBench } from './rebuild-bench.js';
import { uiBench } from './ui-bench.js';
import type { BenchModule, BenchResult } from './types.js';
import { BenchUnavailable } from './types.js';

/**
 * `npm run bench [-- --size 2GB --tms 4 --only ingest,gc-parse --rounds 3]`: generates (or reuses) a synthetic incident
 * bundle under .bench/, then runs each bench module and prints its figures and budget verdicts. Exits non-zero
 * when a budget fails or a module cannot measure. New figures (e.g. the UI timeline) are new entries in MODULES.
 */
const MODULES: readonly BenchModule[] = [ingestBench, rebuildBench, gcParseBench, reportBench, uiBench];

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      size: { type: 'string', default: '2GB' }, tms: { type: 'string', default: '4' }, dir: { type: 'string', default: join(repoRoot, '.bench') },
      only: { type: 'string' }, rounds: { type: 'string', default: '3' }, seed: { type: 'string', default: String(DEFAULT_SEED) }, regenerate: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((name) => !MODULES.some((m) => m.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown bench module(s) ${unknown.join(', ')}; known: ${MODULES.map((m) => m.name).join(', ')}`);
  const benchDir = resolve(values.dir ?? '.bench');
  const options: GenerateOptions = {
    scenario: 'backpressure-expired', version: '1.17', tms: Number(values.tms), out: join(benchDir, 'bundle'),
    sizeBytes: parseSize(values.size ?? '2GB'), seed: Number(values.seed), archive: 'none', debug: false, nearMiss: false, mixedVersions: false, nestJmLogs: false,
  };
  const bundle = await bundleFor(options, benchDir, values.regenerate ?? false);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive whole number, not '${values.rounds}'`);
  const context = { bundle, workDir: join(benchDir, 'work'), repoRoot, rounds };

  let failed = false;
  for (const module of MODULES.filter((m) => only === undefined || only.includes(m.name))) {
    console.log(`\n== ${module.name}`);
    let result: BenchResult;
    try {
      result = await module.run(context);
    } catch (error) {
      if (!(error instanceof BenchUnavailable)) throw error;
      console.log(`FAIL  ${module.name} could not be measured: ${error.message}`);
      failed = true;
      continue;
    }
    for (const f of result.figures) console.log(`  ${f.name.padEnd(46)} ${formatValue(f.value).padStart(12)} ${f.unit}`);
    for (const note of result.notes) console.log(`  note: ${note}`);
    for (const v of result.verdicts) {
      console.log(`${v.pass ? 'PASS' : 'FAIL'}  ${v.budget}: ${v.detail}`);
      failed ||= !v.pass;
    }
  }
  return failed ? 1 : 0;
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(3);
}

/** Reuses the bundle from a previous run when it was generated with the same parameters. */
async function bundleFor(options: GenerateOptions, benchDir: string, regenerate: boolean): Promise<BundleSummary> {
  const summaryPath = join(benchDir, 'bundle-summary.json');
  const params = JSON.stringify({ ...options, generator: 1 });
  if (!regenerate && existsSync(summaryPath)) {
    const saved = JSON.parse(readFileSync(summaryPath, 'utf8')) as { params: string; summary: BundleSummary };
    if (saved.params === params && existsSync(join(options.out, 'expected.json'))) {
      console.log(`reusing ${options.out} (${(saved.summary.totalBytes / 1048576).toFixed(0)} MB, --regenerate to rebuild)`);
      return saved.summary;
    }
  }
  console.log(`generating a ${(options.sizeBytes ?? 0) / 1048576} MB ${options.scenario} bundle (Flink ${options.version}, ${options.tms} TMs) into ${options.out} …`);
  const started = Date.now();
  const summary = await generateBundle(options);
  console.log(`  done in ${((Date.now() - started) / 1000).toFixed(0)} s: ${summary.files.length} files, ${(summary.totalBytes / 1048576).toFixed(0)} MB`);
  mkdirSync(benchDir, { recursive: true });
  writeFileSync(summaryPath, JSON.stringify({ params, summary }));
  return summary;
}

main().then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
});
