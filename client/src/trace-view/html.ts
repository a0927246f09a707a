// The trace panel's HTML page. Pure (no VS Code) so the screenshot test renders the very same page
// outside the editor. Offline: the script and the stylesheet come from media/, nothing from a CDN.
// Strict Content-Security-Policy: only this page's nonce-tagged script runs, no eval, no inline
// styles; the view model travels as inert JSON (type="application/json"), never as code.

import type { TraceViewModel } from './model';

export interface TraceHtmlOptions {
  /** the webview's `cspSource` (who may serve the script and the stylesheet) */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  model?: TraceViewModel;
}

export function renderTraceHtml(options: TraceHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `style-src ${options.cspSource}`,
    `script-src 'nonce-${options.nonce}'`,
    `img-src ${options.cspSource} data:`,
    `font-src ${options.cspSource}`,
  ].join('; ');
  const modelJson = options.model ? jsonForScriptTag(options.model) : 'null';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(options.styleUri)}">
<title>Packet trace</title>
</head>
<body>
<div id="app" aria-live="polite"><p class="empty">Waiting for a trace…</p></div>
<script type="application/json" id="trace-model">${modelJson}</script>
<script nonce="${escapeAttribute(options.nonce)}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>
`;
}

/** JSON that cannot close the script element it sits in. */
export function jsonForScriptTag(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A fresh nonce per page load (32 characters from [A-Za-z0-9]). */
export function makeNonce(random: () => number = Math.random): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let nonce = '';
  for (let i = 0; i < 32; i++) nonce += alphabet[Math.floor(random() * alphabet.length)];
  return nonce;
}

/** Messages the page posts to the extension. Links never navigate; they post `reveal`. */
export type TraceViewMessage =
  | { type: 'ready' }
  | { type: 'reveal'; line: number }
  | { type: 'select'; path: number }
  | { type: 'copyText' };

/** Messages the extension posts to the page. */
export type TraceHostMessage = { type: 'show'; model: TraceViewModel };

/** Checks a message from the page (it is untrusted input: the page renders dump text). */
export function parseTraceViewMessage(message: unknown): TraceViewMessage | undefined {
  if (!message || typeof message !== 'object') return undefined;
  const m = message as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'copyText':
      return { type: m.type };
    case 'reveal':
      return Number.isInteger(m.line) && (m.line as number) >= 1 ? { type: 'reveal', line: m.line as number } : undefined;
    case 'select':
      return Number.isInteger(m.path) && (m.path as number) >= 0 ? { type: 'select', path: m.path as number } : undefined;
    default:
      return undefined;
  }
}
