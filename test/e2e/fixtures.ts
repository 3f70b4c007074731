import { test as base, expect, type Page } from '@playwright/test';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { e2eDir, incidentPath, ROOT, SCREENSHOTS } from './paths.js';
import { serveIncident, type ServedIncident } from '../support/serve.js';

export interface ServedApp extends ServedIncident {
  dir: string;
}

/** Starts `sluice serve FILE` on a free port, its uploads and new incidents going to `dir`. */
async function serve(file: string, dir: string): Promise<ServedApp> {
  return { ...(await serveIncident(join(ROOT, 'out/main/cli.js'), [file, '--dir', dir], ROOT, 20_000)), dir };
}

export const test = base.extend<{ emptyApp: ServedApp; incidentApp: ServedApp }>({
  /** A new, empty incident: the start / drop view. */
  emptyApp: async ({}, use) => {
    const dir = mkdtempSync(join(e2eDir(), 'empty-'));
    const app = await serve(join(dir, 'new.sluice'), dir);
    await use(app);
    await app.stop();
  },
  /** A copy of the pre-ingested incident, so writes (annotations) never leak between tests. */
  incidentApp: async ({}, use) => {
    const dir = mkdtempSync(join(e2eDir(), 'incident-'));
    copyFileSync(incidentPath(), join(dir, 'incident.sluice'));
    const app = await serve(join(dir, 'incident.sluice'), dir);
    await use(app);
    await app.stop();
  },
});

export { expect };

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** The app is idle: no timeline query in flight and the canvas has painted. */
export async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}
