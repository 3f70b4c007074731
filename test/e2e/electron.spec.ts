import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bundlePath, incidentPath, ROOT, SCREENSHOTS } from './paths.js';

/**
 * The desktop app through Playwright's Electron driver. Runs wherever an Electron binary exists (Electron ≥ 42
 * fetches it on first run: `npx install-electron --no`, plus the Electron-ABI better-sqlite3 that `npm start`
 * stages); elsewhere it is skipped and says why. Browser mode covers the same views in the other specs.
 */
function electronBinary(): { path?: string; why?: string } {
  const require = createRequire(join(ROOT, 'package.json'));
  const dir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return { why: 'no Electron binary (offline machine: run `npx install-electron --no` where the network is available)' };
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { path: binary } : { why: `Electron binary listed but missing at ${binary}` };
}

function electronSqlite(): string | undefined {
  const require = createRequire(join(ROOT, 'package.json'));
  const version = (JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }).version;
  const binding = join(ROOT, 'node_modules/.sluice-electron', version, 'better_sqlite3.node');
  return existsSync(binding) ? binding : undefined;
}

const binary = electronBinary();
const binding = binary.path === undefined ? undefined : electronSqlite();
const skipWhy = binary.why ?? (binding === undefined ? 'no Electron-ABI better-sqlite3 build (run `npm start` once on a networked machine)' : undefined);
if (skipWhy !== undefined) console.log(`electron e2e skipped: ${skipWhy}`);

test.describe('desktop app (Electron)', () => {
  test.skip(skipWhy !== undefined, skipWhy ?? '');

  test('opens an incident in a hardened window and ingests a dropped archive by path', async () => {
    const app = await electron.launch({
      executablePath: binary.path!,
      args: [join(ROOT, 'out/main/electron.js'), incidentPath()],
      env: { ...process.env, SLUICE_SQLITE_BINDING: binding!, HOME: mkdtempSync(join(tmpdir(), 'sluice-home-')) },
    });
    const window = await app.firstWindow();
    expect(window.url()).toMatch(/^app:\/\/sluice\//);
    // No Node in the page (nodeIntegration off, sandboxed, isolated): the audit checks the options themselves.
    expect(await window.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process])).toEqual(['undefined', 'undefined']);
    await expect(window.locator('canvas').first()).toBeVisible({ timeout: 30_000 });
    const started = await window.evaluate(async (bundle) => {
      const bridge = (window as unknown as { sluice: { ingest(r: { inputs: string[] }): Promise<{ ingestId: string }> } }).sluice;
      return bridge.ingest({ inputs: [bundle] });
    }, bundlePath());
    expect(started.ingestId).toBeTruthy();
    const forged = await window.evaluate(async () => {
      const bridge = (window as unknown as { sluice: { checkpointDetail(job: unknown, id: unknown): Promise<unknown> } }).sluice;
      return bridge.checkpointDetail({ not: 'a job id' }, 'x').then(() => 'accepted', (e: Error) => e.message);
    });
    expect(forged).toMatch(/expected/);
    await window.screenshot({ path: join(SCREENSHOTS, 'electron.png') });
    await app.close();
  });
});
