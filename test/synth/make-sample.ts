import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingest } from '../../src-main/core/ingest/ingest.js';
import { openIncident } from '../../src-main/core/store/database.js';
import { DEFAULT_SEED, generateBundle } from './generate.js';

/**
 * `npm run sample`: regenerates resources/sample/sample.sluice, the incident the workbench opens (labelled as a
 * sample) when none is given — a Flink 1.17 job whose checkpoints start expiring under backpressure, with a
 * GC-heavy TaskManager, DEBUG phase lines, REST dumps, metrics and flame graphs. Run it after a schema change
 * (test/integration/sample.test.ts fails while the sample is stale).
 */
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const target = join(root, 'resources/sample/sample.sluice');
const work = mkdtempSync(join(tmpdir(), 'sluice-sample-'));
try {
  const bundle = await generateBundle({
    scenario: 'backpressure-expired', version: '1.17', tms: 3, out: join(work, 'orders-enrichment-incident'), sizeBytes: null,
    seed: DEFAULT_SEED, archive: 'none', debug: true, nearMiss: false, mixedVersions: false, nestJmLogs: false,
  });
  rmSync(target, { force: true });
  await ingest({ inputs: [bundle.out], incidentPath: target });
  const db = openIncident(target);
  db.prepare("INSERT OR REPLACE INTO incident (key, value) VALUES ('title', 'Sample: orders-enrichment checkpoints expire under backpressure')").run();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('VACUUM');
  db.close();
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  console.log(`wrote ${target}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
