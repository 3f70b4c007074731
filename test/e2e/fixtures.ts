import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { e2eDir, incidentPath, ROOT, SCREENSHOTS } from './paths.js';

export interface ServedApp {
  url: string;
  dir: string;
  process: ChildProcess;
}

/** Starts `sluice serve FILE` on a free port and returns the URL it prints. */
async function serve(file: string, dir: string): Promise<ServedApp> {
  const child = spawn(process.execPath, [join(ROOT, 'out/main/cli.js'), 'serve', file, '--dir', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sluice serve printed no URL:\n${output}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`sluice serve exited (${code}):\n${output}`)));
  });
  return { url, dir, process: child };
}

async function stop(app: ServedApp): Promise<void> {
  await new Promise<void>((resolve) => {
    app.process.once('exit', () => resolve());
    app.process.kill('SIGTERM');
  });
}

export const test = base.extend<{ emptyApp: ServedApp; incidentApp: ServedApp }>({
  /** A new, empty incident: the start / drop view. */
  emptyApp: async ({}, use) => {
    const dir = mkdtempSync(join(e2eDir(), 'empty-'));
    const app = await serve(join(dir, 'new.sluice'), dir);
    await use(app);
    await stop(app);
  },
  /** A copy of the pre-ingested incident, so writes (annotations) never leak between tests. */
  incidentApp: async ({}, use) => {
    const dir = mkdtempSync(join(e2eDir(), 'incident-'));
    copyFileSync(incidentPath(), join(dir, 'incident.sluice'));
    const app = await serve(join(dir, 'incident.sluice'), dir);
    await use(app);
    await stop(app);
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
