import { test, expect, shot, settle } from './fixtures.js';
import { expected } from './expected.js';


test('timeline: lanes, zoom and pan with keys, wheel and buttons; help and themes', async ({ page, incidentApp }) => {
  await page.goto(incidentApp.url);
  await expect(page.getByTestId('lane-checkpoints')).toBeVisible();
  await settle(page);
  await shot(page, '10-timeline');
  const range = page.getByTestId('view-range');
  const initial = await range.textContent();

  await page.keyboard.press('+');
  await expect(range).not.toHaveText(initial!);
  const zoomed = await range.textContent();
  await page.keyboard.press('ArrowRight');
  await expect(range).not.toHaveText(zoomed!);

  const canvas = page.getByTestId('lane-canvas');
  const box = (await canvas.boundingBox())!;
  const beforeWheel = await range.textContent();
  await page.mouse.move(box.x + box.width / 2, box.y + 20);
  await page.mouse.wheel(0, -400);
  await expect(range).not.toHaveText(beforeWheel!);
  // drag to pan
  const beforeDrag = await range.textContent();
  await page.mouse.move(box.x + box.width / 2, box.y + 15);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 - 200, box.y + 15, { steps: 5 });
  await page.mouse.up();
  await expect(range).not.toHaveText(beforeDrag!);
  await page.keyboard.press('0');
  await expect(range).toHaveText(initial!);

  // collapse/expand a vertex lane into its subtasks
  await page.getByTestId('lane-vertex').first().getByRole('button', { name: 'expand' }).click();
  await expect(page.getByTestId('lane-subtask').first()).toBeVisible();

  await page.keyboard.press('?');
  await expect(page.getByTestId('help')).toBeVisible();
  await shot(page, '11-help');
  await page.keyboard.press('Escape');
  await page.keyboard.press('t');
  await settle(page);
  await shot(page, '12-timeline-other-theme');
});

test('select an expired checkpoint and see its stragglers, GC and log lines', async ({ page, incidentApp }) => {
  const straggler = expected('bundle').stragglers[0]!;
  await page.goto(incidentApp.url);
  await page.getByTestId('tab-checkpoints').click();
  await page.getByTestId(`checkpoint-row-${straggler.checkpointId}`).click();
  const detail = page.getByTestId('checkpoint-detail');
  await expect(detail).toBeVisible();
  await expect(detail).toContainText(`Checkpoint ${straggler.checkpointId}`);
  const first = page.getByTestId('straggler').first();
  await expect(first).toContainText(`${straggler.vertexName} (${straggler.subtask + 1})`);
  await expect(first).toContainText(straggler.tm);
  await expect(detail).toContainText(`GC on ${straggler.tm}`);
  await shot(page, '20-checkpoint-detail');

  // the same checkpoint on the timeline, via "Zoom to"
  await detail.getByRole('button', { name: 'Zoom to' }).click();
  await expect(page.getByTestId('lane-checkpoints')).toBeVisible();
  await settle(page);
  await shot(page, '21-timeline-zoomed-to-failed-checkpoint');
});

test('logs: filter by level and text on the server, fold stack traces, permalink', async ({ page, incidentApp }) => {
  await page.goto(incidentApp.url);
  await page.getByTestId('tab-logs').click();
  const rows = page.getByTestId('log-row');
  await expect(rows.first()).toBeVisible();
  await shot(page, '30-logs');
  for (const level of ['TRACE', 'DEBUG', 'INFO'] as const) await page.getByTestId(`level-${level}`).uncheck();
  await expect.poll(async () => {
    const texts = await rows.allTextContents();
    return texts.length > 0 && texts.every((t) => /WARN|ERROR/.test(t));
  }).toBe(true);
  for (const level of ['TRACE', 'DEBUG', 'INFO'] as const) await page.getByTestId(`level-${level}`).check();
  const needle = 'expired before completing';
  await page.getByTestId('log-search').fill(needle);
  // a record matches by its first line or by its folded stack trace
  await expect.poll(async () => {
    const matched = await rows.allTextContents();
    return matched.length > 0 && matched.every((t) => t.toLowerCase().includes(needle) || /▸ \d+/.test(t));
  }).toBe(true);
  const folded = rows.filter({ has: page.getByTestId('fold') }).filter({ hasNotText: needle }).first();
  if ((await folded.count()) > 0) {
    await folded.getByTestId('fold').click();
    await expect(page.getByTestId('log-continuation').locator('mark').first()).toBeVisible();
  }
  await shot(page, '31-logs-filtered');
});

test('flame graph of the visible range, search with match share', async ({ page, incidentApp }) => {
  await page.goto(incidentApp.url);
  await page.getByTestId('tab-flame').click();
  await expect(page.getByTestId('flame-canvas')).toBeVisible();
  // GC threads are a part, not all, of the samples
  await page.getByTestId('flame-search').fill('G1');
  await expect(page.getByTestId('flame-match')).toHaveText(/^([1-9]|[1-9]\d) % of samples match$/);
  await settle(page);
  await shot(page, '40-flame');
});

test('annotations: create from a picked range, edit, delete, survive a reload', async ({ page, incidentApp }) => {
  await page.goto(incidentApp.url);
  await expect(page.getByTestId('lane-checkpoints')).toBeVisible();
  const canvas = page.getByTestId('lane-canvas');
  const box = (await canvas.boundingBox())!;
  await page.keyboard.down('Shift');
  await page.mouse.move(box.x + box.width * 0.6, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + 10, { steps: 4 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await expect(page.getByTestId('range-actions')).toBeVisible();
  await page.keyboard.press('a');
  const editor = page.getByTestId('annotation-editor');
  await expect(editor).toBeVisible();
  await page.getByTestId('annotation-type').selectOption('key-moment');
  await page.getByTestId('annotation-textarea').fill('**GC storm** on tm-2 <script>alert(1)</script>');
  await shot(page, '50-annotation-editor');
  await page.getByTestId('annotation-save').click();
  await expect(editor).toBeHidden();

  await page.reload();
  await page.getByTestId('tab-annotations').click();
  const note = page.getByTestId('annotation');
  await expect(note).toHaveCount(1);
  await expect(note.getByTestId('annotation-text').locator('strong')).toHaveText('GC storm');
  // the markup typed into the note is shown as text, never run
  await expect(note.getByTestId('annotation-text')).toContainText('<script>alert(1)</script>');
  await expect(note.locator('script')).toHaveCount(0);

  await note.getByTestId('annotation-edit').click();
  await page.getByTestId('annotation-textarea').fill('GC storm on tm-2, edited');
  await page.getByTestId('annotation-save').click();
  await expect(note.getByTestId('annotation-text')).toHaveText('GC storm on tm-2, edited');
  await page.reload();
  await page.getByTestId('tab-annotations').click();
  await expect(page.getByTestId('annotation-text')).toHaveText('GC storm on tm-2, edited');
  await shot(page, '51-annotations');

  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('annotation-delete').click();
  await expect(page.getByTestId('annotation')).toHaveCount(0);
  await page.reload();
  await page.getByTestId('tab-annotations').click();
  await expect(page.getByTestId('annotation')).toHaveCount(0);
});

test('overview and findings views', async ({ page, incidentApp }) => {
  await page.goto(incidentApp.url);
  await page.getByTestId('tab-overview').click();
  await expect(page.getByTestId('overview')).toContainText(expected('bundle').job.name);
  await shot(page, '60-overview');
  await page.getByTestId('tab-findings').click();
  await expect(page.getByTestId('findings')).toBeVisible();
  await shot(page, '61-findings');
});
