// End to end: `nasw serve` on a seeded data folder, the UI in Debian's Chromium — runs list, curves, cell graphs,
// Discretize as a job, and a new search from the form run to completion. Screenshots go to test-artifacts/e2e.
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SeededHome } from '../fixtures/app/seed-home';
import { artifact, openWorkbench, type Served, type Workbench } from './harness';

let wb: Workbench;
let seeded: SeededHome;
let served: Served;
let page: Page;
let problems: string[];
const shoot = (name: string) => wb.shoot(name);

const attr = async (selector: string, name: string) => page.locator(selector).getAttribute(name);

describe('the workbench UI in browser mode', () => {
  beforeAll(async () => {
    wb = await openWorkbench({ prefix: 'nasw-e2e-', context: { permissions: ['clipboard-read', 'clipboard-write'] } });
    ({ seeded, served, page, problems } = wb);
  }, 240_000);

  afterEach(async (ctx) => wb?.screenshotIfFailed(ctx.task));
  afterAll(async () => wb?.close());

  it('refuses the API and the page without the token', async () => {
    const api = await fetch(`${served.origin}/api/runs/list`, { method: 'POST', body: '{}' });
    expect(api.status).toBe(401);
    const pageRes = await fetch(`${served.origin}/`);
    expect(pageRes.status).toBe(401);
    const ok = await fetch(`${served.origin}/api/runs/list`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${served.token}` } });
    expect(ok.status).toBe(200);
  });

  it('lists the seeded run with its figures, and shows the backend really used', async () => {
    await page.goto(served.url);
    const row = page.locator(`[data-testid=run-row][data-run-id="${seeded.searchRunId}"]`);
    await row.waitFor({ timeout: 30_000 });
    await expect.poll(() => row.locator('[data-testid=run-status]').textContent()).toBe('completed');
    const cells = await row.locator('td').allTextContents();
    expect(cells).toContain('tiny8');
    expect(cells).toContain('S1');
    expect(cells).toContain('iDARTS (node norm)');
    expect(cells.some((c) => /%$/.test(c.trim()))).toBe(true);
    // The token left the address bar once the page kept it.
    expect(page.url()).not.toContain('token=');
    await expect.poll(() => page.locator('[data-testid=status-compute]').textContent()).toMatch(/cpu · CPU \(plain JavaScript\) · CPU/);
    expect(await page.locator('[data-testid=status-bar]').textContent()).toContain('connected');
    // The doctor's findings: what loads here, what auto picks, and (on hover) why the GPU path is off.
    await expect.poll(() => page.locator('[data-testid=status-doctor]').textContent(), { timeout: 60_000 }).toMatch(/backends: wasm, cpu · auto wasm/);
    expect(await page.locator('[data-testid=status-doctor]').getAttribute('title')).toMatch(/tfjs-node-gpu is not installed/);
    await shoot('01-runs');
  });

  it('shows the run: curves with one point per epoch, α heat-map, checkpoints, both cell graphs', async () => {
    await page.locator(`[data-testid=run-row][data-run-id="${seeded.searchRunId}"]`).click();
    await page.locator('[data-testid=run-view]').waitFor();
    const n = String(seeded.epochs);
    await expect.poll(() => attr('[data-testid=chart-loss]', 'data-points')).toBe(`${n},${n}`);
    expect(await attr('[data-testid=chart-accuracy]', 'data-points')).toBe(`${n},${n}`);
    expect(await attr('[data-testid=chart-zero-ratio]', 'data-points')).toBe(`${n},${n}`);
    // 4 intermediate nodes per cell type, normal and reduction.
    expect(await attr('[data-testid=chart-node-norms]', 'data-points')).toBe(Array(8).fill(n).join(','));
    for (const id of ['loss', 'accuracy', 'zero-ratio', 'node-norms']) {
      const box = await page.locator(`[data-testid=chart-${id}] canvas`).first().boundingBox();
      expect(box!.width * box!.height, `${id} chart canvas`).toBeGreaterThan(0);
    }
    // α: 14 edges per cell type, at the last epoch.
    expect(await attr('[data-testid=alpha-normal]', 'data-rows')).toBe('14');
    expect(await attr('[data-testid=alpha-reduce]', 'data-rows')).toBe('14');
    expect(await page.locator('[data-testid=alpha-epoch]').textContent()).toBe(n);
    await page.locator('[data-testid=alpha-slider]').fill('0');
    expect(await page.locator('[data-testid=alpha-epoch]').textContent()).toBe('1');
    expect(await page.locator('[data-testid^=checkpoint-]').count()).toBe(seeded.epochs);

    // Cell graphs: c_{k-2}, c_{k-1}, 4 nodes, c_k; 8 op edges + 4 into c_k; a real canvas.
    for (const cell of ['normal', 'reduce']) {
      const graph = `[data-testid=cell-graph-${cell}]`;
      await expect.poll(() => attr(graph, 'data-nodes')).toBe('7');
      expect(await attr(graph, 'data-edges')).toBe('12');
      expect(Number(await attr(graph, 'data-cy-height'))).toBeGreaterThan(0);
      const canvases = await page.locator(`${graph} canvas`).evaluateAll((els) => els.map((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]));
      expect(canvases.length).toBeGreaterThan(0);
      expect(canvases.every(([w, h]) => w! > 0 && h! > 0)).toBe(true);
    }
    await page.locator('[data-testid=alpha-slider]').fill(String(seeded.epochs - 1));
    // Charts export as PNG files.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=png-loss]').click()]);
    expect(download.suggestedFilename()).toBe('tiny-seeded-search-loss.png');
    await download.saveAs(artifact('export-loss.png'));
    expect(fs.readFileSync(artifact('export-loss.png')).subarray(1, 4).toString()).toBe('PNG');
    await shoot('02-run');
  });

  it('shows a decorrelation genotype with similarity scores on hover and the op-correlation matrices', async () => {
    const select = page.locator('[data-testid=genotype-select]');
    const decorrelation = await select.locator('option', { hasText: 'decorrelation' }).first().getAttribute('value');
    await select.selectOption(decorrelation!);
    await page.locator('[data-testid=op-correlation-normal]').waitFor();
    await page.locator('[data-testid=op-correlation-reduce]').waitFor();
    const graph = page.locator('[data-testid=cell-graph-normal]');
    await graph.scrollIntoViewIfNeeded();
    await expect.poll(async () => Object.keys(JSON.parse((await graph.getAttribute('data-edge-midpoints')) ?? '{}')).length).toBe(8);
    const mids = JSON.parse((await graph.getAttribute('data-edge-midpoints'))!) as Record<string, [number, number]>;
    const box = (await graph.locator('.cy-container').boundingBox())!;
    const [x, y] = mids['e0']!;
    await page.mouse.move(box.x + x - 12, box.y + y - 12);
    await page.mouse.move(box.x + x, box.y + y, { steps: 6 });
    const tooltip = page.locator('[data-testid=edge-tooltip]');
    await tooltip.waitFor({ timeout: 5000 });
    expect(await tooltip.textContent()).toMatch(/similarity -?\d\.\d{3}/);
    await shoot('03-decorrelation-genotype');
    await page.mouse.move(0, 0);
  });

  it('discretizes a checkpoint as a job and shows the new genotype', async () => {
    const before = Number(await attr('[data-testid=genotypes]', 'data-count'));
    await page.locator('[data-testid=checkpoint-1] [data-testid=discretize-value]').click();
    await expect.poll(() => attr('[data-testid=genotypes]', 'data-count'), { timeout: 90_000, interval: 500 }).toBe(String(before + 1));
    // The newest genotype is selected: the value rule's, from the checkpoint after epoch 1.
    expect(await page.locator('[data-testid=genotype-select] option:checked').textContent()).toMatch(/value · after epoch 1/);
    expect(await page.locator('[data-testid=genotype-text]').textContent()).toMatch(/^Genotype\(normal=\[/);
    await expect.poll(() => attr('[data-testid=cell-graph-normal]', 'data-nodes')).toBe('7');
    await page.locator('[data-testid=genotypes]').scrollIntoViewIfNeeded();
    // Copy as DARTS text, save the cell as PNG.
    await page.locator('[data-testid=copy-text]').click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(await page.locator('[data-testid=genotype-text]').textContent());
    await page.locator('[data-testid=copy-json]').click();
    await expect.poll(async () => JSON.parse(await page.evaluate(() => navigator.clipboard.readText())).normal.length).toBe(8);
    const [png] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=png-normal]').click()]);
    expect(png.suggestedFilename()).toMatch(/^tiny-seeded-search-genotype-\d+-normal\.png$/);
    await png.saveAs(artifact('export-cell-normal.png'));
    await shoot('04-discretized');
  }, 180_000);

  it('starts a new search from the form (validated by the shared schema) and runs it to completion', async () => {
    await page.locator('[data-testid=nav-runs]').click();
    await page.locator('[data-testid=new-search]').click();
    const form = page.locator('[data-testid=search-form]');
    await form.waitFor();
    // Prefilled with the paper's defaults.
    expect(await page.locator('[data-testid="field-epochs"]').inputValue()).toBe('50');
    expect(await page.locator('[data-testid="field-space.channels"]').inputValue()).toBe('16');
    expect(await page.locator('[data-testid="field-w.lr"]').inputValue()).toBe('0.025');
    // An odd channel count is refused by the schema before anything is sent.
    await page.locator('[data-testid="field-space.channels"]').fill('5');
    await expect.poll(() => page.locator('[data-testid="error-space.channels"]').textContent()).toMatch(/even/);
    expect(await page.locator('[data-testid=start-search]').isDisabled()).toBe(true);
    const fill = async (field: string, value: string) => page.locator(`[data-testid="field-${field}"]`).fill(value);
    await fill('name', 'form search');
    await page.locator('[data-testid="field-data.dataset"]').selectOption('tiny8');
    await fill('space.cells', '2');
    await fill('space.channels', '4');
    await fill('epochs', '2');
    await fill('batchSize', '8');
    await fill('stepsPerEpoch', '2');
    await fill('alpha.freezeEpochs', '0');
    await fill('data.discretizeImages', '16');
    await page.locator('[data-testid="field-backend"]').selectOption('cpu');
    // The schema's default thread count is offered (it only matters on wasm).
    expect(await page.locator('[data-testid="field-threads"]').inputValue()).toBe('auto');
    expect(await page.locator('[data-testid=start-search]').isDisabled()).toBe(false);
    await shoot('05-new-search-form');
    await page.locator('[data-testid=start-search]').click();
    await page.locator('[data-testid=run-view]').waitFor();
    await expect.poll(() => page.locator('[data-testid=run-title]').textContent()).toMatch(/form search/);
    // Live: epoch/step progress with an ETA while it runs, then the status reaches completed.
    await expect.poll(() => page.locator('[data-testid=progress-text]').textContent(), { timeout: 90_000, interval: 100 }).toMatch(/epoch \d\/2 · step \d\/2 · loss .* · ETA/);
    expect(await page.locator('[data-testid=cancel-run]').isVisible()).toBe(true);
    await shoot('06-new-search-running');
    await expect.poll(() => page.locator('[data-testid=run-view] [data-testid=run-status]').textContent(), { timeout: 120_000, interval: 500 }).toBe('completed');
    await expect.poll(() => attr('[data-testid=chart-loss]', 'data-points')).toBe('2,2');
    expect(await attr('[data-testid=chart-accuracy]', 'data-points')).toBe('2,2');
    expect(await page.locator('[data-testid^=checkpoint-]').count()).toBe(2);
    expect(await page.locator('[data-testid=run-device]').textContent()).toMatch(/^cpu · /);
    await shoot('07-new-search-done');
    await page.locator('[data-testid=nav-runs]').click();
    await expect.poll(() => page.locator('[data-testid=run-row]').count()).toBe(2);
    await shoot('08-runs-after');
  }, 300_000);

  it('lists the datasets, the tiny one cached and the demo one generated on first use', async () => {
    await page.locator('[data-testid=nav-datasets]').click();
    const rows = page.locator('[data-testid=dataset-row]');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.allTextContents()).toEqual([expect.stringMatching(/^synthetic.*generated on first use/), expect.stringMatching(/^tiny8synthetic8×8×34.*64.*16/)]);
    await shoot('09-datasets');
  });

  it('logged no page errors and no CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
