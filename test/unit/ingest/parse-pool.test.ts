import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeOrphanedScratch } from '../../../src-main/core/ingest/parse-pool.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-scratch-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('parse pool scratch folders', () => {
  it('removes the folders of ingests whose process is gone and keeps the others', () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    const folders = [`sluice-parse-${gone}-abc`, `sluice-parse-${process.pid}-def`, 'sluice-parse-XYZ', 'other-folder'];
    for (const name of folders) {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, 'source-1.sluice'), 'x');
    }
    removeOrphanedScratch(root);
    expect(readdirSync(root).sort()).toEqual(folders.slice(1).sort());
    removeOrphanedScratch(join(root, 'missing'));
    expect(existsSync(join(root, 'other-folder'))).toBe(true);
  });
});
