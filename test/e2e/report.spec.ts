import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { bundlePath, e2eDir, ROOT, SCREENSHOTS } from './paths.js';

/**
 * The postmortem report as a reader gets it: a file opened in Chromium with the network blocked. The incident
 * carries hostile strings (in a log line, a job name and an annotation) to prove they stay inert text.
 */
const HOSTILE = `<script>alert("log")</script> </script><img src=x onerror=alert(1)> javascript:alert(2) "quotes" 'single' --> \u0007bell`;
const dir = (): string => join(e2eDir(), 'report');
const reportIncident = (): string => join(dir(), 'incident.sluice');
const cli = (...args: string[]): string => execFileSync(process.execPath, [join(ROOT, 'out/main/cli.js'), ...args], { cwd: ROOT, encoding: 'utf8' });

test.beforeAll(() => {
  mkdirSync(dir(), { recursive: true });
  const hostileLog = join(dir(), 'flink-flink-standalonesession-1-jm-evil.log');
  writeFileSync(hostileLog, [
    `2023-06-14 09:20:00,000 INFO  org.apache.flink.runtime.executiongraph.ExecutionGraph       [] - Job ${HOSTILE} (0123456789abcdef0123456789abcdef) switched from state RUNNING to FAILING.`,
    `java.lang.RuntimeException: ${HOSTILE}`,
    '\tat org.example.Sink.invoke(Sink.java:42) ~[job.jar:?]',
    `2023-06-14 09:20:01,000 WARN  org.apache.flink.runtime.taskmanager.Task                    [] - Sink: Unnamed (1/1)#0 (0123456789abcdef0123456789abcdef) switched from RUNNING to FAILED with failure cause:`,
    `java.io.IOException: ${HOSTILE}`,
    '\tat org.example.Sink.invoke(Sink.java:42) ~[job.jar:?]',
  ].join('\n') + '\n');
  cli('ingest', bundlePath(), hostileLog, '--out', reportIncident());
  const db = new Database(reportIncident());
  const checkpoint = db.prepare("SELECT trigger_us, end_us FROM checkpoint WHERE outcome = 'expired' ORDER BY checkpoint_id LIMIT 1").get() as { trigger_us: number; end_us: number };
  const insert = db.prepare("INSERT INTO annotation (from_us, to_us, type, text, starred, created_at, updated_at) VALUES (?, ?, ?, ?, 1, datetime('now'), datetime('now'))");
  insert.run(checkpoint.trigger_us, checkpoint.end_us, 'key-moment', `**First expiry.** ${HOSTILE} [docs](javascript:alert(3))`);
  insert.run(checkpoint.trigger_us - 60_000_000, null, 'detection', 'Alert fired on *checkpoint duration*.');
  db.close();
  cli('report', reportIncident(), '-o', join(dir(), 'report.html'));
  cli('report', reportIncident(), '-o', join(dir(), 'report-anon.html'), '--anonymize');
});

async function openOffline(page: Page, file: string): Promise<{ requests: string[]; errors: string[] }> {
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.context().setOffline(true);
  await page.route(/^(?!file:)/, (route) => route.abort());
  await page.goto(`file://${file}`);
  return { requests, errors };
}

test('the report opens offline, makes no request, and keeps hostile strings inert', async ({ page }) => {
  const file = join(dir(), 'report.html');
  const { requests, errors } = await openOffline(page, file);
  await expect(page.locator('h1')).toBeVisible();
  for (const id of ['summary', 'timeline', 'checkpoints', 'findings', 'appendix']) await expect(page.locator(`section#${id}`)).toHaveCount(1);
  const failed = await page.locator('tr.cp-row.failed td:first-child').allTextContents();
  expect(failed.length).toBeGreaterThanOrEqual(3);
  await expect(page.locator('ol.moments')).toContainText('First expiry.');
  await expect(page.locator('svg.timeline rect.cp-expired').first()).toBeAttached();
  // The hostile text is present as text, nothing was built from it.
  expect(await page.locator('script').count()).toBe(0);
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.locator('a[href^="javascript"]').count()).toBe(0);
  await expect(page.locator('body')).toContainText('<script>alert("log")</script>');
  await page.locator('svg.timeline rect.cp-expired').first().hover();
  expect(requests).toEqual([]);
  expect(errors).toEqual([]);
  const html = readFileSync(file, 'utf8');
  expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  expect(html).not.toContain('\u0007');
  expect(statSync(file).size).toBeLessThan(5 * 1024 * 1024);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, 'report.png'), fullPage: true });
  await page.pdf({ path: join(SCREENSHOTS, 'report.pdf'), format: 'A4', printBackground: true });
  copyFileSync(file, join(SCREENSHOTS, 'report.html'));
});

test('the report reads with scripts disabled', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`file://${join(dir(), 'report.html')}`);
  await expect(page.locator('section#checkpoints table.checkpoints')).toBeVisible();
  await expect(page.locator('svg.timeline')).toBeVisible();
  await context.close();
});

test('the anonymized report names no original host, TaskManager or job', async ({ page }) => {
  const file = join(dir(), 'report-anon.html');
  const { requests, errors } = await openOffline(page, file);
  await expect(page.locator('.notice')).toContainText('Anonymized');
  const html = readFileSync(file, 'utf8');
  const db = new Database(reportIncident(), { readonly: true });
  const originals = (db.prepare(`SELECT host AS v FROM taskmanager UNION SELECT tm_id FROM taskmanager UNION SELECT name FROM job
    UNION SELECT host FROM source WHERE host IS NOT NULL`).all() as Array<{ v: string | null }>).map((r) => r.v).filter((v): v is string => v !== null && v.length >= 3);
  db.close();
  expect(originals.length).toBeGreaterThan(3);
  for (const original of originals) expect(html, original).not.toContain(original);
  expect(html).not.toMatch(/\b10\.42\.7\.\d+\b/);
  expect(requests).toEqual([]);
  expect(errors).toEqual([]);
});
