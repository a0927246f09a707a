// Renders the trace panel's real HTML (client/src/trace-view/html.ts + media/) with the engine's
// NodePort trace (kind-worker2, 192.168.50.9 -> 172.20.0.3:30080) into a standalone page, opens it in headless Debian chromium and checks what a
// person needs to follow the path: both 50% branches side by side, the DNAT / MASQUERADE rewrites
// on the edges, clickable rule lines that only post messages, no CSP violation.
// The screenshot is written to a temp dir (path printed); set TRACE_SCREENSHOT=out.png to keep one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { buildTraceViewModel } from '../../client/src/trace-view/model';
import { renderTraceHtml } from '../../client/src/trace-view/html';
import type { TraceResult } from '../../server/src/netfilter/trace/types';
import { parseRuleset } from '../../server/src/netfilter/parser';
import { traceInRuleset } from '../../server/src/features/trace';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';

/** Writes the page for `result` into a fresh directory; returns the page's file path. */
export function writeStandalonePage(result: TraceResult, directory: string, focusLine?: number): string {
  for (const asset of ['trace-view.js', 'trace-view.css']) copyFileSync(path.join(repoRoot, 'media', asset), path.join(directory, asset));
  const model = buildTraceViewModel(result, { packetLine: '192.168.50.9 -> 172.20.0.3:30080/tcp in eth0', documentLabel: 'kind-worker2-after-nodeport.rules', focusLine });
  const html = renderTraceHtml({ cspSource: 'file:', nonce: 'screenshotNonce0123456789abcdefAB', scriptUri: 'trace-view.js', styleUri: 'trace-view.css', model });
  const file = path.join(directory, 'trace.html');
  writeFileSync(file, html);
  return file;
}

test('trace panel draws the NodePort trace: branches, rewrites, reveal links', async () => {
  // Like the restore checks: CI installs the package (.ci/run) and must run this; elsewhere a
  // machine without it is told what to install.
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI === 'true') assert.fail(`${CHROMIUM} is needed under CI (Debian package chromium)`);
    console.log(`SKIPPED: the trace panel's rendering check needs ${CHROMIUM} (apt-get install chromium)`);
    return;
  }
  const dump = readFileSync(path.resolve(repoRoot, '..', 'shared', 'fixtures', 'seeds', 'kind-worker2-after-nodeport.rules'), 'utf8');
  const response = traceInRuleset(parseRuleset(dump), { uri: 'file:///kind-worker2-after-nodeport.rules', packet: '192.168.50.9 -> 172.20.0.3:30080/tcp in eth0', localAddresses: ['172.20.0.3'] });
  assert.ok(response.result, response.error);
  const result = response.result;
  const directory = mkdtempSync(path.join(os.tmpdir(), 'iptables-lens-trace-view-'));
  const page_ = writeStandalonePage(result, directory, 102);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const consoleProblems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content Security Policy|Refused/.test(message.text())) consoleProblems.push(message.text());
    });
    page.on('pageerror', (error) => consoleProblems.push(String(error)));
    // Stand-in for the webview API: record what the page posts.
    // (A string, not a function: tsx would wrap a function's inner names in a helper the page lacks.)
    await page.addInitScript({
      content: `window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => undefined });`,
    });
    await page.goto(pathToFileURL(page_).href);
    await page.waitForSelector('.path', { timeout: 10_000 }).catch((error) => {
      throw new Error(`the page drew nothing: ${consoleProblems.join('; ') || error}`);
    });

    assert.equal(await page.locator('.tab').count(), 2, 'one tab per path');
    assert.equal(await page.locator('.columns.side-by-side .path').count(), 2, 'two 50% branches side by side');
    assert.deepEqual(await page.locator('.tab .probability').allTextContents(), ['50%', '50%']);
    // The lens focused line 102 (KUBE-SEP-S4QG… DNAT): its path is the selected one.
    assert.equal(await page.locator('.path.selected').getAttribute('data-path'), '1');
    const rewrites = await page.locator('.path.selected .rewrite').allTextContents();
    assert.ok(rewrites.includes('DNAT 172.20.0.3:30080 → 10.244.2.2:80'), `DNAT on an edge: ${rewrites}`);
    assert.ok(rewrites.some((r) => r.startsWith('MASQUERADE 192.168.50.9:40000 → 172.20.0.3')), `MASQUERADE on an edge: ${rewrites}`);
    assert.ok(rewrites.some((r) => r.startsWith('mark 0x0 → 0x4000')), `mark change on an edge: ${rewrites}`);
    const hooks = await page.locator('.path.selected .hook-label').allTextContents();
    assert.deepEqual(hooks, ['PREROUTING', 'FORWARD', 'POSTROUTING']);
    assert.match((await page.locator('.path.selected .final').textContent()) ?? '', /ACCEPT — forwarded out via eth0.*172\.20\.0\.3:40000 -> 10\.244\.2\.2:80/);
    assert.equal(await page.locator('a[href]').count(), 0, 'no navigating links');

    const screenshot = process.env.TRACE_SCREENSHOT ?? path.join(directory, 'trace.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`screenshot: ${screenshot}`);

    // A rule link posts `reveal`, a tab posts `select` and re-draws.
    await page.locator('.path.selected .line-link', { hasText: 'line 102' }).click();
    await page.locator('.tab[data-path="0"]').click();
    assert.equal(await page.locator('.path.selected').getAttribute('data-path'), '0');
    const posted = await page.evaluate('window.__posted');
    assert.deepEqual(posted, [{ type: 'ready' }, { type: 'reveal', line: 102 }, { type: 'select', path: 0 }]);
    assert.deepEqual(consoleProblems, [], 'no script errors or CSP violations');
  } finally {
    await browser.close();
  }
});
