import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openIncident } from '../../src-main/core/store/database.js';
import { SCHEMA_VERSION } from '../../src-main/core/store/schema.js';
import { listCheckpoints } from '../../src-main/core/store/queries/checkpoints.js';

const SAMPLE = 'resources/sample/sample.sluice';

describe('the bundled sample incident', () => {
  it('exists, has the current schema and shows the expired checkpoints (regenerate with `npm run sample`)', () => {
    expect(existsSync(SAMPLE)).toBe(true);
    const db = openIncident(SAMPLE, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const rows = listCheckpoints(db);
      expect(rows.filter((r) => r.outcome === 'expired').length).toBeGreaterThanOrEqual(3);
      expect(rows.find((r) => r.outcome === 'expired')!.stragglers.length).toBeGreaterThan(0);
      const gc = db.prepare("SELECT count(*) AS n FROM gc_event WHERE class = 'pause' AND kind = 'full'").get() as { n: number };
      expect(gc.n).toBeGreaterThan(0);
      expect((db.prepare('SELECT count(*) AS n FROM finding').get() as { n: number }).n).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });
});
