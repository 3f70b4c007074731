import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test, expect, shot } from './fixtures.js';
import { expected } from './expected.js';
import { e2eDir } from './paths.js';

/**
 * File → Export report… from the workbench in browser mode: the dialog's window, sections and title reach the
 * downloaded file, which then opens offline with only what was chosen.
 */
const TITLE = 'Orders pipeline: checkpoints expire under backpressure';
const KEPT = ['summary', 'checkpoints', 'backpressure', 'findings'];
const DROPPED = ['timeline', 'gc', 'flame', 'appendix'];

interface CheckpointTimes { id: number; trigger: number; end: number; outcome: string }

/** "2023-06-14 09:15:01.362", the dialog's format (the page shows UTC unless told otherwise). */
const wallTime = (us: number): string => new Date(Math.floor(us / 1000)).toISOString().replace('T', ' ').replace('Z', '');

test('export the postmortem: chosen window, sections and title reach the downloaded file', async ({ page, incidentApp }) => {
  const db = new Database(join(incidentApp.dir, 'incident.sluice'), { readonly: true });
  const checkpoints = (db.prepare('SELECT checkpoint_id AS id, trigger_us AS trigger, end_us AS "end", outcome FROM checkpoint ORDER BY checkpoint_id').all() as CheckpointTimes[]);
  db.close();
  const failed = checkpoints.filter((c) => c.outcome !== 'completed');
  expect(failed.map((c) => c.id)).toEqual(expected('bundle').checkpoints.filter((c) => c.outcome !== 'COMPLETED').map((c) => c.id));
  expect(failed.length).toBeGreaterThanOrEqual(2);
  // The window starts just after the first failed checkpoint ended: it must drop out of the report.
  const from = failed[0]!.end + 1000;
  const to = failed.at(-1)!.end + 10_000_000;
  const inWindow = failed.filter((c) => c.end >= from && c.trigger <= to).map((c) => c.id);
  expect(inWindow.length).toBeGreaterThan(0);
  expect(inWindow).not.toContain(failed[0]!.id);

  await page.goto(incidentApp.url);
  await expect(page.getByTestId('lane-checkpoints')).toBeVisible();
  await page.getByTestId('export-report').click();
  const dialog = page.getByTestId('export-dialog');
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId('export-title')).toHaveValue(/^Incident .+ — 2023-06-14$/);

  await page.getByTestId('export-title').fill(TITLE);
  await page.getByTestId('export-from').fill(wallTime(from));
  await page.getByTestId('export-to').fill(wallTime(to));
  await expect(page.getByTestId('export-window-custom')).toBeChecked();
  for (const id of DROPPED) await page.getByTestId(`export-section-${id}`).uncheck();
  await expect(dialog).toContainText(`Sections (${KEPT.length} of 8)`);
  mkdirSync(join(e2eDir(), 'export'), { recursive: true });
  await shot(page, '60-export-dialog');

  const downloading = page.waitForEvent('download');
  await page.getByTestId('export-submit').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('incident-postmortem.html');
  const file = join(e2eDir(), 'export', download.suggestedFilename());
  await download.saveAs(file);
  await expect(dialog).toBeHidden();

  // The downloaded report, read as a colleague would: offline, no request, no error.
  const reader = await page.context().newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  reader.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  reader.on('pageerror', (e) => errors.push(e.message));
  await reader.route(/^(?!file:)/, (route) => route.abort());
  await reader.goto(`file://${file}`);
  await expect(reader.locator('h1')).toHaveText(TITLE);
  await expect(reader).toHaveTitle(TITLE);
  expect(await reader.locator('body > section').evaluateAll((sections) => sections.map((s) => s.id))).toEqual(KEPT);
  const failedRows = (await reader.locator('tr.cp-row.failed td:first-child').allTextContents()).map(Number);
  expect(failedRows).toEqual(inWindow);
  // The header states the chosen window.
  await expect(reader.locator('dl.facts')).toContainText(`${wallTime(from)} UTC – ${wallTime(to)} UTC`);
  expect(requests).toEqual([]);
  expect(errors).toEqual([]);
  await reader.close();

  // The edited title stays with the incident: the next export starts from it.
  await page.reload();
  await expect(page.getByTestId('lane-checkpoints')).toBeVisible();
  await page.keyboard.press('e');
  await expect(page.getByTestId('export-title')).toHaveValue(TITLE);
});

test('the export dialog: keyboard shortcut, help entry, Escape, nothing to export on an empty incident', async ({ page, incidentApp }) => {
  await page.goto(incidentApp.url);
  await expect(page.getByTestId('lane-checkpoints')).toBeVisible();
  await page.keyboard.press('?');
  await expect(page.getByTestId('help')).toContainText('export the postmortem report');
  await page.keyboard.press('Escape');
  await page.keyboard.press('e');
  const dialog = page.getByTestId('export-dialog');
  await expect(dialog).toBeVisible();
  // Escape closes it straight from the focused title field.
  await expect(page.getByTestId('export-title')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  // While it is open, keys do not drive the workbench behind it ('t' would switch the theme).
  await page.keyboard.press('e');
  await dialog.getByRole('heading').click();
  const theme = await page.evaluate(() => document.documentElement.dataset.theme);
  await page.keyboard.press('t');
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  // Without sections there is no report to make; a window must be two readable times.
  await page.keyboard.press('e');
  await dialog.getByRole('button', { name: 'none' }).click();
  await page.getByTestId('export-submit').click();
  await expect(dialog).toContainText('Choose at least one section.');
  await page.getByTestId('export-to').fill('yesterday');
  await expect(page.getByTestId('export-window-custom')).toBeChecked();
  await expect(dialog).toContainText('Write both times as YYYY-MM-DD HH:MM:SS (UTC).');
});

test('no export button before there is evidence', async ({ page, emptyApp }) => {
  await page.goto(emptyApp.url);
  await expect(page.getByTestId('start-view')).toBeVisible();
  await expect(page.getByTestId('export-report')).toHaveCount(0);
  await page.keyboard.press('e');
  await expect(page.getByTestId('export-dialog')).toHaveCount(0);
});
