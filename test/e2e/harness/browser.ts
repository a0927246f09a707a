// Debian chromium driven by playwright-core (no browser download: the machines reach only npm and Debian).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
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
  beforeNavigate?: (page: Page) => Promise<unknown>;
  onConsole?: (message: ConsoleMessage) => void;
}

export async function openBrowser(url: string, options: BrowserOptions = {}): Promise<Browser> {
  // A fresh profile each time: nothing (storage, cached workbench state) leaks between runs.
  const profileDir = mkdtempSync(join(tmpdir(), 'iptables-lens-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    // Crashpad writes "Crash Reports" under $XDG_CONFIG_HOME/chromium; keep it out of the home dir.
    env: { ...process.env, XDG_CONFIG_HOME: join(profileDir, 'xdg-config'), XDG_CACHE_HOME: join(profileDir, 'xdg-cache') },
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
 * The text of a console message as the browser would print it. Extension-host console output reaches
 * the workbench as `console.log('%c INFO', 'color: #33f', ...originalArgs)`; the level badge and its
 * style are dropped and the original arguments formatted like node's console (`%s`, `%d`, ...).
 */
export async function consoleText(message: ConsoleMessage): Promise<string> {
  const values = await Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => undefined)));
  if (values.length === 0) return message.text();
  if (typeof values[0] === 'string' && values[0].startsWith('%c')) values.splice(0, 2);
  return values.length ? format(...values) : '';
}
