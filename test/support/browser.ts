/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Headless Chromium for the HTML report tests: Debian's chromium (`.ci/run` installs it) driven by
 * playwright-core, with the flags of shared/docs/MACHINE.md. Every request the page makes is
 * recorded; anything but the report's own file is refused, so a report that needs the network fails.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.ISOBENCH_CHROMIUM ?? '/usr/bin/chromium';

/** Whether Chromium can run here; CI (ISOBENCH_REQUIRE_CHROMIUM=1) must have it. */
export function chromiumAvailable(): boolean {
  const ok = existsSync(CHROMIUM);
  if (!ok && process.env.ISOBENCH_REQUIRE_CHROMIUM === '1')
    throw new Error(`${CHROMIUM} is required here (ISOBENCH_REQUIRE_CHROMIUM=1): apt-get install chromium`);
  return ok;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A page that records console messages, page errors and every request (refusing all but file:). */
export async function watchedPage(
  browser: Browser,
  viewport = { width: 1400, height: 1000 },
): Promise<{ page: Page; problems: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    return url.startsWith('file:') ? route.continue() : route.abort();
  });
  return { page, problems, requests };
}

/** How many pixels of a PNG differ from its top-left pixel (decoded by the browser itself). */
export async function paintedPixels(
  browser: Browser,
  png: Buffer,
): Promise<{ total: number; painted: number; colours: number }> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d') as CanvasRenderingContext2D;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      const bg = [d[0], d[1], d[2]];
      let painted = 0;
      const colours = new Set<number>();
      for (let i = 0; i < d.length; i += 4) {
        const [r, g, b] = [d[i] as number, d[i + 1] as number, d[i + 2] as number];
        if (r !== bg[0] || g !== bg[1] || b !== bg[2]) painted++;
        if (colours.size < 5000) colours.add((r << 16) | (g << 8) | b);
      }
      return { total: c.width * c.height, painted, colours: colours.size };
    }, png.toString('base64'));
  } finally {
    await page.close();
  }
}
