// End to end, part 2: `nasw serve` on a seeded data folder, the UI in Debian's Chromium — a tiny IDX dataset dropped,
// uploaded and imported with its thumbnails; a bad file giving the importer's error; a custom search space saved and
// searched with; two finished runs compared; a tiny retrain of DARTS_V2 with its result. Screenshots: test-artifacts/e2e.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { idxFiles, idxSet } from '../fixtures/app/idx-files';
import type { SeededHome } from '../fixtures/app/seed-home';
import { artifact, openWorkbench, type Served, type Workbench } from './harness';

let wb: Workbench;
let home = '';
let seeded: SeededHome;
let served: Served;
let page: Page;
let problems: string[];
/** The search started with the custom space. */
let customRunId = 0;
const shoot = (name: string) => wb.shoot(name);

const attr = async (selector: string, name: string) => page.locator(selector).first().getAttribute(name);
const testid = (id: string) => page.locator(`[data-testid="${id}"]`);
const fill = async (id: string, value: string) => testid(id).fill(value);

/** Drop files on the drop zone as a file manager would (a DataTransfer carrying Files). */
async function dropFiles(files: Record<string, Buffer>): Promise<void> {
  const list = Object.entries(files).map(([name, bytes]) => [name, bytes.toString('base64')] as const);
  await page.locator('[data-testid=drop-zone]').evaluate((zone, entries) => {
    const dt = new DataTransfer();
    for (const [name, b64] of entries) dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name));
    zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, list);
}

describe('the workbench UI, part 2: datasets, spaces, compare, retrain', () => {
  beforeAll(async () => {
    // A refused call (4xx: a counts preview of a network that cannot be built yet …) is an answer, not a fault.
    wb = await openWorkbench({ prefix: 'nasw-e2e2-', seed: { discretize: ['value'], name: 'seeded S1 search' }, ignoreConsole: /status of 4\d\d/ });
    ({ home, seeded, served, page, problems } = wb);
    await page.goto(served.url);
    await page.locator('[data-testid=runs-view]').waitFor();
  }, 240_000);

  afterEach(async (ctx) => wb?.screenshotIfFailed(ctx.task));
  afterAll(async () => wb?.close());

  it('refuses uploads without the token and paths that leave the upload', async () => {
    const open = await fetch(`${served.origin}/api/uploads`, { method: 'POST' });
    expect(open.status).toBe(401);
    const auth = { authorization: `Bearer ${served.token}` };
    const { result } = (await (await fetch(`${served.origin}/api/uploads`, { method: 'POST', headers: auth })).json()) as { result: { uploadId: string } };
    const escape = await fetch(`${served.origin}/api/uploads/${result.uploadId}/..%2F..%2Fevil`, { method: 'PUT', headers: auth, body: 'x' });
    expect(escape.status).toBe(400);
    expect(fs.existsSync(path.join(home, 'evil'))).toBe(false);
    expect((await fetch(`${served.origin}/api/uploads/${result.uploadId}`, { method: 'DELETE', headers: auth })).status).toBe(200);
  });

  it('imports a dropped IDX dataset (uploaded, then a job-like task with progress) and shows its classes and thumbnails', async () => {
    await testid('nav-datasets').click();
    await testid('drop-zone').waitFor();
    await fill('import-name', 'tinyidx');
    await dropFiles(idxFiles(40, 12, 4));
    const task = page.locator('[data-testid=import-task]', { hasText: 'tinyidx' });
    await expect.poll(() => task.getAttribute('data-status'), { timeout: 60_000 }).toBe('completed');
    expect(await task.locator('[data-testid=import-progress]').textContent()).toMatch(/52 \/ 52 images/);
    expect(await task.textContent()).toMatch(/idx/);
    const row = page.locator('[data-testid=dataset-row][data-name=tinyidx]');
    await row.waitFor();
    expect(await row.textContent()).toMatch(/tinyidxidx8×8×14.*40.*12/);
    // The uploaded files are gone from the staging area once imported.
    await expect.poll(() => fs.readdirSync(path.join(home, 'staging')).length).toBe(0);
    await shoot('10-datasets-import');
    await row.click();
    const detail = page.locator('[data-testid=dataset-detail][data-name=tinyidx]');
    await detail.waitFor();
    expect(page.url()).toMatch(/#\/datasets\/tinyidx$/);
    expect(await page.locator('[data-testid=class-row]').count()).toBe(4);
    expect((await page.locator('[data-testid=class-row]').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual(['0 0 10 3', '1 1 10 3', '2 2 10 3', '3 3 10 3']);
    expect(await testid('dataset-shape').textContent()).toBe('8×8 px, 1 channel');
    // Three sample thumbnails per class, really decoded by the browser.
    const thumbs = page.locator('[data-testid=thumbnail]');
    await expect.poll(() => thumbs.count()).toBe(12);
    await expect.poll(() => thumbs.evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth === 8))).toBe(true);
    await shoot('11-dataset-detail');
  });

  it('shows the importer’s error with the file it names, and keeps nothing of a bad import', async () => {
    const bad = idxSet(10, 2);
    bad.images.writeUInt32BE(1234, 0);
    await fill('import-name', 'badidx');
    await testid('import-files').setInputFiles([
      { name: 'train-images-idx3-ubyte', mimeType: 'application/octet-stream', buffer: bad.images },
      { name: 'train-labels-idx1-ubyte', mimeType: 'application/octet-stream', buffer: bad.labels },
    ]);
    const task = page.locator('[data-testid=import-task]', { hasText: 'badidx' });
    await expect.poll(() => task.getAttribute('data-status'), { timeout: 60_000 }).toBe('failed');
    expect(await task.locator('[data-testid=import-error-file]').textContent()).toBe('train-images-idx3-ubyte');
    expect(await task.locator('[data-testid=import-error]').textContent()).toMatch(/wrong magic number 1234: an IDX images file starts with 2051/);
    expect(await page.locator('[data-testid=dataset-row][data-name=badidx]').count()).toBe(0);
    expect(fs.existsSync(path.join(home, 'datasets', 'badidx'))).toBe(false);
    await page.locator('[data-testid=dataset-detail]').scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shoot('12-import-error');
  });

  it('creates a custom search space with live validation and counts, and starts a search with it', async () => {
    await testid('nav-spaces').click();
    await page.locator('[data-testid=space-row][data-name=S1]').click();
    expect(await attr('[data-testid=space-editor]', 'data-readonly')).toBe('true');
    expect(await testid('space-op-sep_conv_5x5').isDisabled()).toBe(true);
    await expect.poll(() => attr('[data-testid=space-params]', 'data-value')).toMatch(/^\d+$/);
    await testid('new-space').click();
    await fill('space-name', 'tiny-convs');
    await testid('space-op-max_pool_3x3').check();
    await fill('space-nodes', '4');
    await fill('space-cells', '2');
    await fill('space-channels', '5');
    await expect.poll(() => testid('space-error-channels').textContent()).toMatch(/even/);
    expect(await testid('space-save').isDisabled()).toBe(true);
    expect(await attr('[data-testid=space-params]', 'data-value')).toBe('');
    await fill('space-channels', '4');
    await expect.poll(() => attr('[data-testid=space-params]', 'data-value')).toMatch(/^[1-9]\d*$/);
    expect(Number(await attr('[data-testid=space-madds]', 'data-value'))).toBeGreaterThan(0);
    // Sized for the tiny dataset: fewer multiply-adds than at CIFAR's 32×32.
    const cifarMadds = Number(await attr('[data-testid=space-madds]', 'data-value'));
    await testid('space-size-by').selectOption('tiny8');
    const madds = async () => Number((await attr('[data-testid=space-madds]', 'data-value')) || Number.NaN);
    await expect.poll(madds).toBeLessThan(cifarMadds);
    expect(await madds()).toBeGreaterThan(0);
    await shoot('13-space-editor');
    await testid('space-save').click();
    await expect.poll(() => page.url()).toMatch(/#\/spaces\/tiny-convs$/);
    await page.locator('[data-testid=space-row][data-name=tiny-convs]').waitFor();

    await testid('space-search').click();
    await testid('search-form').waitFor();
    await expect.poll(() => testid('field-space.name').inputValue()).toBe('tiny-convs');
    expect(await testid('field-space.cells').inputValue()).toBe('2');
    expect(await testid('op-max_pool_3x3').isChecked()).toBe(true);
    expect(await testid('op-sep_conv_5x5').isChecked()).toBe(false);
    await fill('field-name', 'custom space search');
    await testid('field-data.dataset').selectOption('tiny8');
    await fill('field-epochs', '2');
    await fill('field-batchSize', '8');
    await fill('field-stepsPerEpoch', '2');
    // Frozen α epochs left blank follow the epochs (30 %: 1 of 2); set to cover every epoch, the form warns.
    expect(await testid('field-alpha.freezeEpochs').getAttribute('placeholder')).toBe('auto: 1');
    await fill('field-alpha.freezeEpochs', '2');
    await expect.poll(() => testid('alpha-never-trains').textContent()).toMatch(/^α is frozen for 2 epochs of 2, so it never trains/);
    await shoot('14a-alpha-never-trains');
    await fill('field-alpha.freezeEpochs', '0');
    expect(await testid('alpha-never-trains').count()).toBe(0);
    await fill('field-data.discretizeImages', '16');
    await testid('field-backend').selectOption('cpu');
    await shoot('14-search-with-custom-space');
    await testid('start-search').click();
    await page.locator('[data-testid=run-view]').waitFor();
    await expect.poll(() => testid('run-title').textContent()).toMatch(/custom space search/);
    customRunId = Number(/#\/runs\/(\d+)/.exec(page.url())![1]);
    expect(await page.locator('.facts').textContent()).toMatch(/space tiny-convs/);
    await expect.poll(() => page.locator('[data-testid=run-view] [data-testid=run-status]').textContent(), { timeout: 150_000, interval: 500 }).toBe('completed');
    // 4 nodes → 14 mixed edges per cell in the α heat-map.
    expect(await attr('[data-testid=alpha-normal]', 'data-rows')).toBe('14');
    await page.locator('[data-testid=checkpoint-2] [data-testid=discretize-value]').click();
    await expect.poll(() => attr('[data-testid=genotypes]', 'data-count'), { timeout: 90_000, interval: 500 }).toBe('1');
    await expect.poll(() => attr('[data-testid=cell-graph-normal]', 'data-nodes')).toBe('7');
    await shoot('15-custom-search-done');
  }, 300_000);

  it('compares two finished runs: curves of both on shared axes, the metrics table, differing edges marked, deep-linked', async () => {
    await testid('nav-compare').click();
    await testid('run-picker').waitFor();
    await testid(`compare-pick-${seeded.searchRunId}`).check();
    await testid(`compare-pick-${customRunId}`).check();
    await expect.poll(() => page.url()).toMatch(new RegExp(`#/compare/${seeded.searchRunId},${customRunId}$`));
    await expect.poll(() => page.locator('[data-testid=metrics-row]').count()).toBe(2);
    for (const chart of ['loss', 'accuracy', 'zero-ratio']) {
      await expect.poll(() => attr(`[data-testid=chart-${chart}]`, 'data-runs')).toBe(`${seeded.searchRunId},${customRunId}`);
    }
    // Each run: train and val lines, 2 epochs each.
    expect(await attr('[data-testid=chart-loss]', 'data-points')).toBe('2,2,2,2');
    expect(await page.locator('[data-testid=metric-params]').allTextContents()).toEqual([expect.stringMatching(/\d/), expect.stringMatching(/\d/)]);
    const columns = page.locator('[data-testid=genotype-column]');
    await expect.poll(() => columns.count()).toBe(2);
    for (const id of [seeded.searchRunId, customRunId]) {
      const col = page.locator(`[data-testid=genotype-column][data-run-id="${id}"]`);
      expect(Number(await col.getAttribute('data-diff-edges'))).toBeGreaterThan(0);
      const graph = `[data-testid=compare-cell-${id}-normal]`;
      await expect.poll(() => attr(graph, 'data-edges')).toMatch(/^[1-9]/);
      expect(Number(await attr(graph, 'data-diff-edges'))).toBeGreaterThan(0);
      expect(Number(await attr(graph, 'data-cy-height'))).toBeGreaterThan(0);
    }
    const [csv] = await Promise.all([page.waitForEvent('download'), testid('export-csv').click()]);
    expect(csv.suggestedFilename()).toBe(`compare-${seeded.searchRunId}-${customRunId}.csv`);
    await csv.saveAs(artifact('export-compare.csv'));
    const lines = fs.readFileSync(artifact('export-compare.csv'), 'utf8').trim().split(/\r\n/);
    expect(lines[0]).toMatch(/^run,name,kind,status,dataset,space,method,accuracy_on,best_accuracy/);
    expect(lines).toHaveLength(3);
    await shoot('16-compare');
    // Deep link: the address alone brings the same comparison back.
    await page.reload();
    await expect.poll(() => page.locator('[data-testid=metrics-row]').count()).toBe(2);
    expect(await testid(`compare-pick-${customRunId}`).isChecked()).toBe(true);
    expect(await attr('[data-testid=compare-view]', 'data-ids')).toBe(`${seeded.searchRunId},${customRunId}`);
  });

  it('launches a tiny retrain of DARTS_V2 with the CIFAR recipe prefilled, and shows its result', async () => {
    await testid('nav-retrain').click();
    await testid('retrain-form').waitFor();
    // The recipe's values are there first.
    expect(await testid('retrain-field-cells').inputValue()).toBe('20');
    expect(await testid('retrain-field-channels').inputValue()).toBe('36');
    expect(await testid('retrain-field-epochs').inputValue()).toBe('600');
    expect(await testid('retrain-published').inputValue()).toBe('DARTS_V2');
    // Pasted text is read with the shared parser; an error names its place.
    await testid('genotype-source-text').click();
    await fill('retrain-genotype-text', "Genotype(normal=[('sep_conv_3x3', 0), ('bogus_op', 1)], normal_concat=[2], reduce=[('max_pool_3x3', 0), ('skip_connect', 1)], reduce_concat=[2])");
    await expect.poll(() => testid('genotype-parse-error').textContent()).toMatch(/line 1, column \d+.*bogus_op/);
    expect(await testid('start-retrain').isDisabled()).toBe(true);
    await testid('genotype-source-published').click();
    await testid('retrain-field-data.dataset').selectOption('tiny8');
    await fill('retrain-field-name', 'tiny DARTS_V2 retrain');
    await fill('retrain-field-cells', '3');
    await fill('retrain-field-channels', '4');
    await fill('retrain-field-epochs', '1');
    await fill('retrain-field-stepsPerEpoch', '2');
    await fill('retrain-field-batchSize', '8');
    // The ImageNet stem leaves 1×1 maps of 8×8 images: the auxiliary head cannot be built, so the form cannot start it.
    await testid('retrain-field-stem').selectOption('imagenet');
    await expect.poll(() => testid('retrain-count-error').textContent()).toMatch(/cannot be built.*auxiliary head.*--no-auxiliary/);
    expect(await testid('start-retrain').isDisabled()).toBe(true);
    expect(await testid('retrain-unbuildable').isVisible()).toBe(true);
    await shoot('17a-retrain-unbuildable');
    await testid('retrain-field-stem').selectOption('cifar');
    await expect.poll(() => testid('start-retrain').isDisabled()).toBe(false);
    await testid('retrain-field-auxiliary').uncheck();
    await testid('retrain-field-backend').selectOption('cpu');
    await expect.poll(() => testid('retrain-count-params').textContent()).toMatch(/\d/);
    await expect.poll(() => attr('[data-testid=retrain-preview-normal]', 'data-edges')).toBe('12');
    await shoot('17-retrain-form');
    await testid('start-retrain').click();
    await testid('retrain-run-view').waitFor();
    await expect.poll(() => testid('run-title').textContent()).toMatch(/tiny DARTS_V2 retrain/);
    await expect.poll(() => page.locator('[data-testid=retrain-run-view] [data-testid=run-status]').textContent(), { timeout: 150_000, interval: 500 }).toBe('completed');
    await expect.poll(() => attr('[data-testid=retrain-result]', 'data-final')).toBe('true');
    expect(await testid('retrain-top1').textContent()).toMatch(/^\d+\.\d\d %$/);
    // 4 classes: the top 5 include every class, so top-5 error is not shown as a figure.
    expect(await testid('retrain-top5').textContent()).toBe('n/a');
    expect(await attr('[data-testid=retrain-top5]', 'title')).toMatch(/4 classes/);
    expect(Number(await attr('[data-testid=retrain-params]', 'data-value'))).toBeGreaterThan(0);
    expect(Number(await attr('[data-testid=retrain-madds]', 'data-value'))).toBeGreaterThan(0);
    await expect.poll(() => attr('[data-testid=per-class-chart]', 'data-classes')).toBe('4');
    expect(await attr('[data-testid=confusion-matrix]', 'data-size')).toBe('4');
    await expect.poll(() => attr('[data-testid=chart-loss]', 'data-points')).toBe('1,1');
    expect(await attr('[data-testid=cell-graph-normal]', 'data-nodes')).toBe('7');
    const [csv] = await Promise.all([page.waitForEvent('download'), testid('export-epochs-csv').click()]);
    await csv.saveAs(artifact('export-retrain-epochs.csv'));
    const rows = fs.readFileSync(artifact('export-retrain-epochs.csv'), 'utf8').trim().split('\r\n');
    expect(rows[0]).toMatch(/^epoch,lr,train_loss,train_acc,val_loss,val_acc,test_loss,test_acc,/);
    expect(rows).toHaveLength(2);
    const [png] = await Promise.all([page.waitForEvent('download'), testid('png-confusion').click()]);
    await png.saveAs(artifact('export-confusion.png'));
    expect(fs.readFileSync(artifact('export-confusion.png')).subarray(1, 4).toString()).toBe('PNG');
    await shoot('18-retrain-done');
    await testid('nav-retrain').click();
    await expect.poll(() => page.locator('[data-testid=retrain-row]').count()).toBe(1);
  }, 240_000);

  it('deletes a dataset no run needs, and refuses one a queued run still needs, naming the run', async () => {
    // A search on tinyidx waiting in the queue behind a long one: it will read the dataset, so deleting it is refused.
    const call = async (channel: string, body: unknown) => {
      const res = await fetch(`${served.origin}/api/${channel}`, { method: 'POST', headers: { authorization: `Bearer ${served.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await res.json()) as { ok: boolean; result: { runId: number; status: string } };
    };
    const tiny = { space: { cells: 2, channels: 4, nodes: 2 }, batchSize: 4, stepsPerEpoch: 1, backend: 'cpu', alpha: { freezeEpochs: 0 } };
    const blocker = await call('jobs/submit', { spec: { kind: 'search', name: 'keeps the queue busy', config: { ...tiny, epochs: 5000, data: { dataset: 'tiny8', discretizeImages: 8 } } } });
    const result = (await call('jobs/submit', { spec: { kind: 'search', name: 'needs tinyidx', config: { ...tiny, epochs: 1, data: { dataset: 'tinyidx', discretizeImages: 8 } } } })).result;
    expect(result.status).toBe('queued');

    await testid('nav-datasets').click();
    await fill('import-name', 'tinyidx2');
    await dropFiles(idxFiles(8, 4, 4));
    await expect.poll(() => page.locator('[data-testid=import-task]', { hasText: 'tinyidx2' }).getAttribute('data-status'), { timeout: 60_000 }).toBe('completed');
    await page.locator('[data-testid=dataset-row][data-name=tinyidx2]').click();
    await page.locator('[data-testid=dataset-detail][data-name=tinyidx2]').waitFor();
    await testid('delete-dataset').click();
    expect(await testid('delete-dataset').textContent()).toMatch(/for good/);
    await testid('delete-dataset').click();
    await expect.poll(() => page.locator('[data-testid=dataset-row][data-name=tinyidx2]').count()).toBe(0);
    expect(page.url()).toMatch(/#\/datasets$/);

    await page.locator('[data-testid=dataset-row][data-name=tinyidx]').click();
    await page.locator('[data-testid=dataset-detail][data-name=tinyidx]').waitFor();
    expect(await testid('dataset-users').textContent()).toMatch(new RegExp(`#${result.runId} needs tinyidx \\(queued\\)`));
    await testid('delete-dataset').click();
    await testid('delete-dataset').click();
    await expect.poll(() => testid('delete-error').textContent()).toMatch(new RegExp(`used by run #${result.runId} needs tinyidx \\(queued\\); finish or delete it first`));
    expect(await page.locator('[data-testid=dataset-row][data-name=tinyidx]').count()).toBe(1);
    await shoot('19-dataset-delete-refused');
    for (const r of [result, blocker.result]) await call('jobs/cancel', { runId: r.runId });
  }, 120_000);

  it('logged no page errors and no CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
