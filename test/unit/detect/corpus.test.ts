import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detect, SNIFF_BYTES } from '../../../src-main/core/detect/detect.js';

const CORPUS = '/work/shared/corpus';

/** What the ingest hands detect(): the name without '.gz' and the first 64 KiB of the decompressed bytes. */
function detectCorpusFile(folder: string, file: string): ReturnType<typeof detect> {
  let data = readFileSync(join(CORPUS, folder, file));
  let name = file;
  if (file.endsWith('.gz')) {
    data = gunzipSync(data);
    name = file.slice(0, -3);
  }
  return detect(name, data.subarray(0, SNIFF_BYTES));
}

/** The GC format each sample is written in (gc-formats §1.2–§1.4, §3.2). */
function expectedGcFormat(file: string): string {
  if (/IBMJ9/.test(file)) return 'openj9-xml';
  if (/ujl|^SampleShenandoahAllocationFailure/i.test(file)) return 'ujl';
  return 'jdk8';
}

const FLAME_FORMATS: Record<string, string> = {
  '01-speedscope-evented-simple.speedscope.json': 'speedscope',
  '04-jdk21-builtin-jfr-heavy.jfr': 'jfr',
  '05-collapsed-with-invalid-lines.txt': 'collapsed',
  '06-async-profiler-v2-format-flamegraph.html': 'async-profiler-html',
  '07-async-profiler-v3-format-flamegraph.html': 'async-profiler-html',
  '09-async-profiler-annotated-sample1.collapsed': 'collapsed',
  '12-perf-java-stacks-collapsed-jit-annotated.txt': 'collapsed',
  '15-async-profiler-cpu.jfr.gz': 'jfr',
  '20-d3-flame-graph-name-value-children.json': 'd3-flamegraph-json',
};

describe('every GC corpus file', () => {
  const files = readdirSync(join(CORPUS, 'gc')).filter((file) => file !== 'PROVENANCE.md');
  it('covers the whole folder', () => expect(files.length).toBeGreaterThanOrEqual(29));
  for (const file of files) {
    it(`${file} is a ${expectedGcFormat(file)} GC log`, () => {
      const detection = detectCorpusFile('gc', file);
      expect(detection.kind).toBe('gc-log');
      expect(detection.format).toBe(expectedGcFormat(file));
      expect(detection.reason.length).toBeGreaterThan(20);
    });
  }
});

describe('every flame corpus file', () => {
  const files = readdirSync(join(CORPUS, 'flame')).filter((file) => file !== 'PROVENANCE.md');
  it('has an expectation for each file', () => expect(files.sort()).toEqual(Object.keys(FLAME_FORMATS).sort()));
  for (const file of files) {
    it(`${file} is ${FLAME_FORMATS[file]}`, () => {
      const detection = detectCorpusFile('flame', file);
      expect(detection.kind).toBe('flame');
      expect(detection.format).toBe(FLAME_FORMATS[file]);
    });
  }

  it('says why, quoting what it saw', () => {
    expect(detectCorpusFile('flame', '15-async-profiler-cpu.jfr.gz').reason).toBe("JFR magic 'FLR\\0', version 2.0");
    expect(detectCorpusFile('flame', '07-async-profiler-v3-format-flamegraph.html').reason).toBe(
      "async-profiler HTML flame graph, Format B (const cpool table), title 'CPU profile'",
    );
    expect(detectCorpusFile('gc', 'sample-ujl-serial-gc-defaults.txt').reason).toBe('unified JVM logging decorators [0.016s][info][gc] on 12 of 12 lines');
    expect(detectCorpusFile('gc', 'SampleSun1_8_0RollingLogfile.txt').reason).toMatch(/^JDK 8 GC log header 'Java HotSpot\(TM\) 64-Bit Server VM \(25\.45-b02\)/);
  });

  it('lists the provenance notes as unknown text', () => {
    expect(detectCorpusFile('flame', 'PROVENANCE.md').kind).toBe('unknown');
  });
});
