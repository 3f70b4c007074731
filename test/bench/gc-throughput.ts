/**
 * GC parser throughput, no SQLite: the corpus files are repeated in memory into ~200 MB per format family,
 * split into lines the way the ingest does (LF, CR dropped) and pushed through createGcLogParser with a
 * counting sink. Line splitting is outside the timed section so the figure is the parser's own cost.
 *
 *   npx tsx test/bench/gc-throughput.ts [megabytes]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ZoneClock } from '../../src-main/core/common/time.js';
import type { RecordSink } from '../../src-main/core/model/records.js';
import { createGcLogParser } from '../../src-main/core/parsers/gc/index.js';

const CORPUS = '/work/shared/corpus/gc';
const targetBytes = Number(process.argv[2] ?? 200) * 1024 * 1024;

interface Family {
  name: string;
  files: string[];
}

const all = readdirSync(CORPUS).filter((f) => f.endsWith('.txt'));
const families: Family[] = [
  { name: 'JDK 8 HotSpot (all legacy corpus files)', files: all.filter((f) => f.startsWith('SampleSun') || f.startsWith('SampleOpenJdk')) },
  { name: 'Unified Logging (all UL corpus files)', files: all.filter((f) => f.startsWith('sample-ujl') || f.startsWith('Sample-ujl') || f.startsWith('SampleShenandoah')) },
];

function run(family: Family): void {
  // Each repetition is one JVM's file: a parser per copy, as the ingest runs one per source file.
  const copies = family.files.map((f) => readFileSync(join(CORPUS, f), 'utf8').split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)));
  const bytesPerRound = family.files.reduce((sum, f) => sum + readFileSync(join(CORPUS, f)).length, 0);
  const rounds = Math.ceil(targetBytes / bytesPerRound);
  let events = 0;
  let warnings = 0;
  const ignore = (): void => {};
  const sink: RecordSink = {
    facts: ignore, event: ignore, backpressure: ignore, metric: ignore, restCheckpoint: ignore, restSubtask: ignore,
    vertex: ignore, planEdge: ignore, flame: ignore,
    gc: () => {
      events++;
    },
    warning: () => {
      warnings++;
    },
  };
  const clock = new ZoneClock('UTC');
  const started = process.hrtime.bigint();
  let lines = 0;
  for (let round = 0; round < rounds; round++) {
    copies.forEach((fileLines, i) => {
      const parser = createGcLogParser({ sink, clock, path: `tm-${round}/${family.files[i]}`, detection: { kind: 'gc-log', format: 'gc', reason: 'bench' } });
      for (let n = 0; n < fileLines.length; n++) {
        parser.line(fileLines[n]!, n + 1);
        // The ingest reads these after every line to build the line index.
        if (parser.currentIsContinuation && parser.currentTs < 0) lines--;
      }
      parser.end();
      lines += fileLines.length;
    });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const megabytes = (rounds * bytesPerRound) / 1024 / 1024;
  console.log(
    `${family.name}: ${megabytes.toFixed(0)} MiB, ${(lines / 1e6).toFixed(2)} M lines, ${events} events, ${warnings} warnings in ${seconds.toFixed(2)} s → ` +
      `${(megabytes / seconds).toFixed(1)} MiB/s, ${(lines / seconds / 1e6).toFixed(2)} M lines/s`,
  );
}

/**
 * The reference's "naive regex pass" (gc-formats.md §2.4: one prefix regex + one pause regex per line, 80–140 MiB/s
 * on an idle 2-core VM), timed on the same lines in the same process: on a shared, loaded machine the ratio to
 * it says more than the absolute MiB/s.
 */
function baseline(family: Family): void {
  const text = family.files.map((f) => readFileSync(join(CORPUS, f), 'utf8')).join('\n');
  const fileLines = text.split('\n');
  const bytesPerRound = Buffer.byteLength(text);
  const rounds = Math.ceil(targetBytes / bytesPerRound);
  const prefix = /^(?:\[[^\]]*\])+ |^[\d.:T+-]+: /;
  const pause = /Pause \w+.* (\d+[.,]\d+)ms$|, (\d+[.,]\d+) secs\]/;
  let matched = 0;
  const started = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) {
    for (const line of fileLines) {
      prefix.exec(line);
      if (pause.exec(line) !== null) matched++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const megabytes = (rounds * bytesPerRound) / 1024 / 1024;
  console.log(`  naive two-regex baseline on the same lines: ${(megabytes / seconds).toFixed(1)} MiB/s (${matched} matches)`);
}

for (const family of families) {
  run(family);
  baseline(family);
}
