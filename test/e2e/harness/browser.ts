// Debian chromium driven by playwright-core (no browser download: the machines reach only npm and Debian).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export interface BrowserOptions {
  viewport?: { width: number; height: number };
  /** Called before the first navigation, e.g. to expose functions. */
  beforeNavigate?: (page: Page) => Promise<void>;
  onConsole?: (message: ConsoleMessage) => void;
}

export async function openBrowser(url: string, options: BrowserOptions = {}): Promise<Browser> {
  // A fresh profile each time: nothing (storage, cached workbench state) leaks between runs.
  const profileDir = mkdtempSync(join(tmpdir(), 'iptables-lens-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: options.viewport ?? { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? await context.newPage();
  if (options.onConsole) page.on('console', options.onConsole);
  await options.beforeNavigate?.(page);
  await page.goto(url);
  let closed = false;
  return {
    context,
    page,
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => {});
      rmSync(profileDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/**
 * The workbench forwards extension-host console output with CSS styling (`%c[Extension Host] %c...`).
 * Returns the plain text, without the `%c` markers and the style arguments they consume.
 */
export async function plainConsoleText(message: ConsoleMessage): Promise<string> {
  const text = message.text();
  if (!text.includes('%c')) return text;
  const styleCount = (text.match(/%c/g) ?? []).length;
  const args = message.args();
  const extra = await Promise.all(args.slice(1 + styleCount).map((a) => a.jsonValue().then(String, () => '')));
  return [text.replace(/%c/g, ''), ...extra].join(' ');
}
