// The trace result view: a webview panel that draws the path (media/trace-view.js draws the view
// model from ../trace-view/model.ts), editor decorations on the rules of the selected path, and
// the same trace as text in the output channel "iptables-lens trace".
//
// The page is untrusted (it shows text from the dump): it can only post the messages checked by
// parseTraceViewMessage; links post `reveal` and never navigate; no command URIs.

import * as vscode from 'vscode';
import type { TraceViewModel } from '../trace-view/model';
import { makeNonce, parseTraceViewMessage, renderTraceHtml, type TraceHostMessage } from '../trace-view/html';

export const OUTPUT_CHANNEL_NAME = 'iptables-lens trace';

export interface ShownTrace {
  documentUri: vscode.Uri;
  model: TraceViewModel;
  text: string;
}

export class TracePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private current: ShownTrace | undefined;
  private readonly output: vscode.OutputChannel;
  private readonly highlight: vscode.TextEditorDecorationType;
  private readonly highlightMatched: vscode.TextEditorDecorationType;
  private readonly disposables: vscode.Disposable[] = [];
  /** for tests and the e2e suite: fires after every render of a trace */
  private readonly shownEmitter = new vscode.EventEmitter<ShownTrace>();
  readonly onDidShow = this.shownEmitter.event;

  constructor(private readonly extensionUri: vscode.Uri) {
    this.output = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME);
    const pathColour = new vscode.ThemeColor('editor.rangeHighlightBackground');
    this.highlight = vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: pathColour,
      overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.rangeHighlightForeground'),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
      borderWidth: '0 0 0 3px',
      borderStyle: 'solid',
      borderColor: new vscode.ThemeColor('editorInfo.foreground'),
    });
    // The rule that decided the verdict stands out from the rest of the path.
    this.highlightMatched = vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'),
      borderWidth: '0 0 0 3px',
      borderStyle: 'solid',
      borderColor: new vscode.ThemeColor('editorWarning.foreground'),
      overviewRulerColor: new vscode.ThemeColor('editorWarning.foreground'),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
    });
    this.disposables.push(
      this.output,
      this.highlight,
      this.highlightMatched,
      this.shownEmitter,
      vscode.window.onDidChangeVisibleTextEditors(() => this.decorate()),
    );
  }

  get shown(): ShownTrace | undefined {
    return this.current;
  }

  show(trace: ShownTrace): void {
    this.current = trace;
    this.output.clear();
    this.output.append(trace.text);
    if (!this.panel) this.panel = this.createPanel();
    else this.panel.reveal(vscode.ViewColumn.Beside, true);
    this.panel.title = `Trace: ${trace.model.packetLine}`;
    this.post({ type: 'show', model: trace.model });
    this.decorate();
    this.shownEmitter.fire(trace);
  }

  /** Open the trace as text (the output channel), for copy/paste into a ticket. */
  showText(): void {
    this.output.show(true);
  }

  /** Select a path (as the page's tabs do); updates the editor highlight. */
  selectPath(index: number): void {
    if (!this.current || !this.current.model.paths[index]) return;
    this.current.model.selected = index;
    this.decorate();
  }

  private createPanel(): vscode.WebviewPanel {
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const panel = vscode.window.createWebviewPanel('iptablesLens.trace', 'Packet trace', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [media],
    });
    const webview = panel.webview;
    webview.html = renderTraceHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'trace-view.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'trace-view.css')).toString(),
    });
    webview.onDidReceiveMessage((raw) => this.onMessage(raw), undefined, this.disposables);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.current = undefined;
      this.decorate();
    }, undefined, this.disposables);
    return panel;
  }

  private post(message: TraceHostMessage): void {
    void this.panel?.webview.postMessage(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = parseTraceViewMessage(raw);
    if (!message || !this.current) return;
    switch (message.type) {
      case 'ready':
        this.post({ type: 'show', model: this.current.model });
        break;
      case 'select':
        this.selectPath(message.path);
        break;
      case 'reveal':
        await this.revealLine(message.line);
        break;
      case 'copyText':
        this.showText();
        break;
    }
  }

  /** Show 1-based `line` of the traced dump in an editor beside nothing: the dump's own column. */
  async revealLine(line: number): Promise<void> {
    if (!this.current) return;
    const document = await vscode.workspace.openTextDocument(this.current.documentUri);
    const existing = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === document.uri.toString());
    const editor = await vscode.window.showTextDocument(document, { viewColumn: existing?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false });
    const target = document.lineAt(Math.min(Math.max(line - 1, 0), document.lineCount - 1)).range;
    editor.selection = new vscode.Selection(target.start, target.end);
    editor.revealRange(target, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** Highlight the rules of the selected path in every editor showing the traced dump. */
  private decorate(): void {
    const path = this.current?.model.paths[this.current.model.selected];
    const uri = this.current?.documentUri.toString();
    for (const editor of vscode.window.visibleTextEditors) {
      if (!path || editor.document.uri.toString() !== uri) {
        editor.setDecorations(this.highlight, []);
        editor.setDecorations(this.highlightMatched, []);
        continue;
      }
      const lineCount = editor.document.lineCount;
      const toRange = (line: number) => editor.document.lineAt(Math.min(line - 1, lineCount - 1)).range;
      const lines = [...new Set(path.lines)].filter((line) => line >= 1 && line <= lineCount);
      const deciding = path.decidingLine !== null && lines.includes(path.decidingLine) ? path.decidingLine : undefined;
      editor.setDecorations(this.highlight, lines.filter((l) => l !== deciding).map(toRange));
      editor.setDecorations(this.highlightMatched, deciding !== undefined ? [toRange(deciding)] : []);
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
