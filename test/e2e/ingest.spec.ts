import { readFileSync } from 'node:fs';
import { test, expect, shot, settle } from './fixtures.js';
import { bundlePath, dropBundlePath } from './paths.js';
import { expected } from './expected.js';

test('drop a bundle through the file picker: progress, overview, lanes', async ({ page, emptyApp }) => {
  const want = expected('bundle');
  await page.goto(emptyApp.url);
  await expect(page.getByTestId('start-view')).toBeVisible();
  await shot(page, '01-start');
  await page.getByTestId('file-input').setInputFiles(bundlePath());
  await expect(page.getByTestId('ingest-panel')).toBeVisible();
  await expect(page.getByTestId('ingest-panel')).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('overview')).toBeVisible();
  await expect(page.getByTestId('checkpoint-count')).toContainText(String(want.checkpoints.length));
  const failed = want.checkpoints.filter((c) => c.outcome !== 'COMPLETED').length;
  await expect(page.getByTestId('checkpoint-count')).toContainText(`${failed} did not complete`);
  await expect(page.getByTestId('overview')).toContainText(want.job.name);
  await shot(page, '02-ingest-done-overview');
  await page.getByRole('button', { name: 'Close' }).click();

  await page.getByTestId('tab-timeline').click();
  await expect(page.getByTestId('lane-checkpoints')).toBeVisible();
  // one phase lane per vertex of the job, a GC lane per TaskManager with a GC log, events
  await expect(page.getByTestId('lane-vertex')).toHaveCount(want.job.vertices.length);
  await expect(page.getByTestId('lane-gc')).toHaveCount(want.taskManagers.length);
  await expect(page.getByTestId('lane-events')).toHaveCount(1);
  await settle(page);
  await shot(page, '03-timeline-after-ingest');
});

test('drop a bundle with a synthetic drag-and-drop anywhere on the page', async ({ page, emptyApp }) => {
  const want = expected('drop');
  await page.goto(emptyApp.url);
  await expect(page.getByTestId('start-view')).toBeVisible();
  const bytes = readFileSync(dropBundlePath()).toString('base64');
  const transfer = await page.evaluateHandle((b64) => {
    const raw = atob(b64);
    const data = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) data[i] = raw.charCodeAt(i);
    const dt = new DataTransfer();
    dt.items.add(new File([data], 'incident-bundle.zip', { type: 'application/zip' }));
    return dt;
  }, bytes);
  await page.dispatchEvent('body', 'dragenter', { dataTransfer: transfer });
  await expect(page.getByTestId('drop-overlay')).toBeVisible();
  await shot(page, '04-drop-overlay');
  await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
  await expect(page.getByTestId('ingest-panel')).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('checkpoint-count')).toContainText(String(want.checkpoints.length));
  await expect(page.getByTestId('sources')).toContainText('incident-bundle.zip!/');
});
