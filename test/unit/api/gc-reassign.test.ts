import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createService } from '../../../src-main/core/api/service.js';
import { ingest } from '../../../src-main/core/ingest/ingest.js';
import { openIncident } from '../../../src-main/core/store/database.js';
import { DEFAULT_SEED, generateBundle } from '../../synth/generate.js';

const work = mkdtempSync(join(tmpdir(), 'sluice-reassign-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('reassignGcLog', () => {
  it('moves a GC log to another TaskManager, keeps the choice across ingests, and refuses nonsense', async () => {
    const bundle = await generateBundle({
      scenario: 'healthy', version: '1.17', tms: 2, out: join(work, 'b'), sizeBytes: null, seed: DEFAULT_SEED,
      archive: 'none', debug: false, nearMiss: false, mixedVersions: false, nestJmLogs: false,
    });
    const incident = join(work, 'i.sluice');
    await ingest({ inputs: [bundle.out], incidentPath: incident, });
    const service = createService({ incidentPath: incident, incidentsDir: work });
    const db = openIncident(incident, { readonly: true });
    const gc = db.prepare("SELECT id, tm_id FROM source WHERE kind = 'gc-log' ORDER BY path LIMIT 1").get() as { id: number; tm_id: string };
    const other = (db.prepare('SELECT tm_id FROM taskmanager WHERE tm_id != ?').get(gc.tm_id) as { tm_id: string }).tm_id;
    db.close();
    await expect(service.reassignGcLog(gc.id, other)).resolves.toBe(true);
    await expect(service.reassignGcLog(gc.id, 'no-such-tm')).rejects.toThrow(/no TaskManager/);
    await expect(service.reassignGcLog(99999, null)).rejects.toThrow(/not a GC log/);
    service.close();
    await ingest({ inputs: [bundle.out], incidentPath: incident });
    const after = openIncident(incident, { readonly: true });
    expect((after.prepare('SELECT tm_id FROM source WHERE id = ?').get(gc.id) as { tm_id: string }).tm_id).toBe(other);
    after.close();
  });
});
