// Drives the code-server workbench in chromium for UI tests of the PACKAGED extension (.vsix).
// Every step waits for a selector or a state (no fixed sleeps). New UI tests should only need
// these helpers: openFile, goTo, hoverAt, runCommand, lineTokens, codeLens, webview, screenshot.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { consoleText, openBrowser, type Browser } from '../harness/browser';
import { e2eDir, repoRoot, startCodeServer, type CodeServer } from '../harness/codeServer';
import { prepareWorkspace, type ScratchWorkspace } from '../harness/workspace';

export const artifactsDir = join(e2eDir, 'artifacts');
/** The outer iframe VS Code draws a ready webview in. */
const WEBVIEW_IFRAME = 'iframe.webview.ready';
/** Screenshots taken in this process, listed by scripts/e2e-run.mjs at the end. */
export const screenshots: string[] = [];

/** The .vsix `npm run package` produced for the current package.json version. */
export function packagedVsix(): string {
  const { name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  const vsix = join(repoRoot, `${name}-${version}.vsix`);
  if (!existsSync(vsix)) throw new Error(`${vsix} not found: run \`npm run package\` first`);
  return vsix;
}

/** One rendered token of an editor line: its text, its `mtkN` colour class and the computed colour. */
export interface RenderedToken {
  text: string;
  className: string;
  color: string;
}

export class Workbench {
  private constructor(
    readonly server: CodeServer,
    readonly browser: Browser,
    readonly workspace: ScratchWorkspace,
    readonly page: Page,
  ) {}

  /**
   * A fresh code-server with the packaged extension installed, showing a scratch workspace.
   * `viewport`: the browser window size (screenshots meant for people: 1600×1000).
   */
  static async start(options: { vsix?: string; viewport?: { width: number; height: number } } = {}): Promise<Workbench> {
    const workspace = prepareWorkspace();
    const server = await startCodeServer({ installVsix: [options.vsix ?? packagedVsix()] });
    let browser: Browser | undefined;
    try {
      const consoleLines: string[] = [];
      browser = await openBrowser(server.workbenchUrl(workspace.path), {
        viewport: options.viewport,
        onConsole: (message) => { void consoleText(message).then((text) => consoleLines.push(`[${message.type()}] ${text}`)); },
      });
      const workbench = new Workbench(server, browser, workspace, browser.page);
      await workbench.page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
      // The explorer lists the folder once the remote connection and file service are up.
      await workbench.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 30_000 });
      return workbench;
    } catch (error) {
      await browser?.close();
      await server.stop();
      workspace.remove();
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.browser.close();
    await this.server.stop();
    this.workspace.remove();
  }

  /** Absolute path of a workspace file (the scratch copy), e.g. workspacePath('seeds', 'x.rules'). */
  workspacePath(...segments: string[]): string {
    return join(this.workspace.path, ...segments);
  }

  /** The active editor (the one in the active editor group). */
  get editor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor[data-uri]').first();
  }

  /** Opens a workspace-relative file through Quick Open and waits until its editor is active. */
  async openFile(relativePath: string): Promise<void> {
    const fileName = relativePath.split('/').pop()!;
    await this.quickInput('Control+P', relativePath);
    // Quick Open needs its result row to appear before Enter.
    const row = this.quickInputRows().filter({ hasText: fileName }).first();
    await row.waitFor();
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await this.page.locator(`.tabs-container .tab.active[data-resource-name="${fileName}"]`).waitFor();
    await this.editor.locator('.view-lines .view-line').first().waitFor();
  }

  /** Moves the cursor to a 1-based line and column (Go to Line) and waits for the status bar to agree. */
  async goTo(line: number, column = 1): Promise<void> {
    await this.quickInput('Control+G', `:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await this.page.locator('#status\\.editor\\.selection').filter({ hasText: `Ln ${line}, Col ${column}` }).waitFor();
  }

  /** Shows the hover at a 1-based line/column (keyboard, no mouse geometry) and returns its text. */
  async hoverAt(line: number, column: number): Promise<string> {
    await this.goTo(line, column);
    await this.runCommand('Show or Focus Hover');
    const hover = this.hoverWidget().locator('.monaco-hover-content').first();
    await hover.waitFor();
    return hover.innerText();
  }

  /** Waits until the active editor shows at least one squiggle of that severity (diagnostics arrived). */
  async waitForSquiggle(severity: 'error' | 'warning' | 'info' | 'hint' = 'error', timeoutMs = 20_000): Promise<void> {
    const selector = severity === 'hint' ? '.squiggly-hint' : `.squiggly-${severity}`;
    await this.editor.locator(selector).first().waitFor({ state: 'attached', timeout: timeoutMs });
  }

  /**
   * Runs a command by its palette label, e.g. runCommand('iptables-lens: Trace Packet…'), and waits
   * for the palette to close — or, for a command that asks something in a quick input of its own
   * (the palette's widget then never hides), for that input's title `asksWithTitle`.
   */
  async runCommand(label: string, options: { asksWithTitle?: string } = {}): Promise<void> {
    await this.quickInput('F1', `>${label}`);
    const row = this.quickInputRows().filter({ has: this.page.locator('.label-name', { hasText: label }) }).first();
    await row.waitFor();
    await this.page.keyboard.press('Enter');
    if (options.asksWithTitle) {
      await this.page.locator('.quick-input-widget .quick-input-title', { hasText: options.asksWithTitle }).waitFor();
    } else {
      await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    }
  }

  /**
   * The rendered tokens of a 1-based line of the active editor (the line must be on screen:
   * call goTo first for lines further down). Found through the line-number gutter, which shares
   * its `top` with the text line.
   */
  async lineTokens(line: number): Promise<RenderedToken[]> {
    const tokens = await this.editor.evaluate((editor, lineNumber) => {
      const number = Array.from(editor.querySelectorAll<HTMLElement>('.margin-view-overlays .line-numbers'))
        .find((element) => element.textContent?.trim() === String(lineNumber));
      const top = number?.parentElement?.style.top;
      if (top === undefined) return undefined;
      const viewLine = Array.from(editor.querySelectorAll<HTMLElement>('.view-lines .view-line')).find((element) => element.style.top === top);
      if (!viewLine) return undefined;
      return Array.from(viewLine.querySelectorAll<HTMLElement>(':scope > span > span')).map((span) => ({
        text: (span.textContent ?? '').replace(/\u00a0/g, ' '),
        className: span.className,
        color: getComputedStyle(span).color,
      }));
    }, line);
    if (!tokens) throw new Error(`line ${line} is not rendered in the active editor`);
    return tokens;
  }

  /**
   * Waits until `accept` approves the rendered tokens of `line` (tokenization is asynchronous:
   * lines first render uncoloured). Rejects with the last tokens seen.
   */
  async waitForLineTokens(line: number, accept: (tokens: RenderedToken[]) => boolean, timeoutMs = 15_000): Promise<RenderedToken[]> {
    const deadline = Date.now() + timeoutMs;
    let last: RenderedToken[] = [];
    for (;;) {
      last = await this.lineTokens(line);
      if (accept(last)) return last;
      if (Date.now() > deadline) throw new Error(`line ${line} tokens not as expected: ${JSON.stringify(last)}`);
      // Wait for the next paint of the editor rather than a fixed delay.
      await this.page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    }
  }

  /**
   * Saves a PNG of the whole window (or of one element: `of`) into test/e2e/artifacts/ui/ and
   * returns its path.
   */
  async screenshot(name: string, of?: Locator): Promise<string> {
    const dir = join(artifactsDir, 'ui');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${name}.png`);
    // Finish CSS transitions (the hover fades in): a half-transparent widget is unreadable.
    if (of) await of.screenshot({ path, animations: 'disabled' });
    else await this.page.screenshot({ path, animations: 'disabled' });
    screenshots.push(path);
    console.log(`screenshot: ${path}`);
    return path;
  }

  /**
   * Saves a PNG of the smallest window area holding all of `parts` plus `padding` pixels
   * (e.g. a hover and the line it explains): small, full-resolution images for the docs.
   */
  async screenshotAround(name: string, parts: Locator[], padding = 16): Promise<string> {
    const boxes = await Promise.all(parts.map(async (part) => {
      const box = await part.boundingBox();
      if (!box) throw new Error(`screenshotAround(${name}): ${part} is not visible`);
      return box;
    }));
    const viewport = this.page.viewportSize() ?? { width: 1400, height: 900 };
    const left = Math.max(0, Math.min(...boxes.map((b) => b.x)) - padding);
    const top = Math.max(0, Math.min(...boxes.map((b) => b.y)) - padding);
    const right = Math.min(viewport.width, Math.max(...boxes.map((b) => b.x + b.width)) + padding);
    const bottom = Math.min(viewport.height, Math.max(...boxes.map((b) => b.y + b.height)) + padding);
    const dir = join(artifactsDir, 'ui');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${name}.png`);
    await this.page.screenshot({ path, animations: 'disabled', clip: { x: left, y: top, width: right - left, height: bottom - top } });
    screenshots.push(path);
    console.log(`screenshot: ${path}`);
    return path;
  }

  /** The line number of a 1-based line in the active editor's gutter (the line must be on screen). */
  lineNumber(line: number): Locator {
    return this.editor.locator('.margin-view-overlays .line-numbers').filter({ hasText: new RegExp(`^\\s*${line}\\s*$`) }).first();
  }

  /** The visible hover widget. */
  hoverWidget(): Locator {
    // (:visible: the workbench keeps other, hidden .monaco-hover elements — tooltips — around)
    return this.page.locator('.monaco-hover:not(.hidden):visible').first();
  }

  /** The code lens link whose title contains `title`, on the lines currently rendered. */
  codeLens(title: string): Locator {
    return this.editor.locator('.codelens-decoration a', { hasText: title }).first();
  }

  /**
   * The document inside the (single) webview panel: VS Code nests the extension's page in an
   * inner `#active-frame` of the webview's iframe.
   */
  webview(): FrameLocator {
    return this.page.frameLocator(WEBVIEW_IFRAME).frameLocator('#active-frame');
  }

  /** The webview panel's iframe element in the workbench (for a screenshot of the panel alone). */
  webviewElement(): Locator {
    return this.page.locator(WEBVIEW_IFRAME);
  }

  /** Hides the primary side bar (explorer) so that editors and webviews get the width. */
  async closeSideBar(): Promise<void> {
    const sideBar = this.page.locator('#workbench\\.parts\\.sidebar');
    if (!(await sideBar.isVisible())) return;
    await this.runCommand('View: Close Primary Side Bar');
    await sideBar.waitFor({ state: 'hidden' });
  }

  private quickInputRows(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  }

  /** Opens a quick input with `shortcut` and types `text` into it. */
  private async quickInput(shortcut: string, text: string): Promise<void> {
    // Keyboard shortcuts go to the focused part; make sure the workbench (not the page body) has focus.
    await this.page.locator('.monaco-workbench').focus().catch(() => {});
    await this.page.keyboard.press(shortcut);
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor();
    await input.fill(text);
  }
}
