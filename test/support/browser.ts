import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

const REPO = resolve(__dirname, '../..');
/** Debian's Chromium: `npx playwright install` needs a download host this machine cannot reach. */
export const CHROMIUM = process.env.NETPIN_CHROMIUM ?? '/usr/bin/chromium';
export const SHOT_DIR = join(REPO, 'test-output', 'web');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Build apps/web into apps/web/dist, which the API serves at /. Always rebuilt (about
 * two seconds) so the suite never tests a stale bundle.
 */
export function buildWebUi(): void {
  execFileSync(process.execPath, [join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], {
    cwd: join(REPO, 'apps/web'),
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 120_000,
  });
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far (a broken UI often only logs). */
  errors: string[];
  /** Save test-output/web/<nn>-<name>.png of the whole page, or of one element. */
  shot(target: Page | Locator, name: string): Promise<string>;
  close(): Promise<void>;
}

/** One headless Chromium with a throw-away profile, so no state leaks between runs. */
export async function launchBrowser(opts: { viewport?: { width: number; height: number } } = {}): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'netpin-chromium-'));
  // screenshots of an earlier run would mix with this one's numbering
  rmSync(SHOT_DIR, { recursive: true, force: true });
  mkdirSync(SHOT_DIR, { recursive: true });
  // launchPersistentContext is how Playwright takes our own --user-data-dir
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: opts.viewport ?? { width: 1366, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  context.on('page', (p) => watch(p, errors));
  watch(page, errors);
  let n = 0;
  return {
    context,
    page,
    errors,
    async shot(target, name) {
      n += 1;
      const file = join(SHOT_DIR, `${String(n).padStart(2, '0')}-${name}.png`);
      if ('goto' in target) await target.screenshot({ path: file, fullPage: true });
      else await target.screenshot({ path: file });
      return file;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

function watch(page: Page, errors: string[]): void {
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} at ${m.location().url}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`http ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
}
