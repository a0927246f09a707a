// The "iptables-lens: Trace Packet…" command (also what every "▶ Trace" code lens runs).
//
// Arguments (all optional): [uri, packetLine, title, options]
// - without a packet line it asks for one in an input box, validated as you type by the same pure
//   parser the server uses, pre-filled — when run from the editor with the cursor on a rule — with
//   the packet that rule's lens would trace, else with the last packet traced on that dump (or a
//   suggestion);
// - with one it traces directly.
// The packet line is remembered per dump (workspaceState keyed by the document URI).

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { PACKET_FOR_LINE_REQUEST, TRACE_REQUEST, type PacketForLineParams, type PacketForLineResponse, type TraceRequestParams, type TraceResponse } from '../../../server/src/protocol';
import { parsePacketLine } from '../../../server/src/netfilter/trace/packet-line';
import { buildTraceViewModel } from '../trace-view/model';
import { readSettings } from '../settings';
import { PacketMemory } from './packet-memory';
import type { TracePanel } from './trace-panel';

export const LANGUAGE_ID = 'iptables-save';

/** The 4th argument a code lens passes. */
export interface TraceCommandOptions {
  /** start the trace in this hook (lens on a built-in chain declaration) */
  startHook?: string;
  /** what to pre-fill the input box with when nothing was traced on this dump yet */
  suggestion?: string;
  /** 1-based line of the lens's rule: the panel opens on the most likely path through it */
  focusLine?: number;
  /** why the packet looks like it does (shown as a trace note) */
  explanation?: string;
}

const DEFAULT_SUGGESTION = '10.244.0.9 -> 10.96.0.10:53/udp in eth0';

export class TraceCommand {
  private readonly memory: PacketMemory;

  constructor(
    private readonly client: LanguageClient,
    private readonly panel: TracePanel,
    workspaceState: vscode.Memento,
  ) {
    this.memory = new PacketMemory(workspaceState);
  }

  /** Entry point registered for TRACE_COMMAND. Returns the response (the e2e tests read it). */
  async run(uriArgument?: unknown, packetLine?: unknown, title?: unknown, rawOptions?: unknown): Promise<TraceResponse | undefined> {
    const document = await this.documentFor(uriArgument);
    if (!document) {
      void vscode.window.showWarningMessage('Open an iptables-save dump to trace a packet through it.');
      return undefined;
    }
    const options = sanitizeOptions(rawOptions);
    const uri = document.uri.toString();
    const settings = readSettings(document.uri);
    let line = typeof packetLine === 'string' && packetLine.trim() !== '' ? packetLine.trim() : undefined;
    if (!line) {
      let boxTitle = typeof title === 'string' ? title : undefined;
      // Run from the editor (context menu, title button, palette — a lens passes its uri as a
      // string): start from the rule under the cursor, with the packet its lens would trace.
      const fromCursor = typeof uriArgument === 'string' ? undefined : await this.packetForCursor(document);
      const prefill = fromCursor ? fromCursor.packetLine ?? fromCursor.suggestion : undefined;
      if (fromCursor) {
        boxTitle ??= `${fromCursor.title} · line ${fromCursor.focusLine}`;
        options.focusLine = fromCursor.focusLine;
      }
      line = await this.askForPacket(uri, boxTitle, options, settings.nodeAddresses, prefill);
      if (!line) return undefined;
      // The explanation is about the packet offered, not one the user typed instead.
      if (fromCursor && line === prefill) options.explanation = fromCursor.explanation;
    }
    await this.memory.remember(uri, line);
    return this.trace(document.uri, line, options);
  }

  /** The packet for the rule on the cursor's line of `document` (when it is the active editor's). */
  private async packetForCursor(document: vscode.TextDocument): Promise<PacketForLineResponse> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.uri.toString() !== document.uri.toString()) return null;
    const params: PacketForLineParams = { uri: document.uri.toString(), line: editor.selection.active.line };
    try {
      return await this.client.sendRequest<PacketForLineResponse>(PACKET_FOR_LINE_REQUEST, params);
    } catch {
      return null; // (the box then offers the last packet, as without a cursor)
    }
  }

  /** Trace `packetLine` through the document and show the result. */
  async trace(documentUri: vscode.Uri, packetLine: string, options: TraceCommandOptions = {}): Promise<TraceResponse | undefined> {
    const settings = readSettings(documentUri);
    const params: TraceRequestParams = {
      uri: documentUri.toString(),
      packet: packetLine,
      localAddresses: settings.nodeAddresses.length ? settings.nodeAddresses : undefined,
      defaultInInterface: settings.defaultInInterface,
      defaultOutInterface: settings.defaultOutInterface,
      ipsetFile: settings.ipsetFile,
    };
    if (options.startHook) params.startHook = options.startHook;
    const response = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Tracing packet…' },
      () => this.client.sendRequest<TraceResponse>(TRACE_REQUEST, params),
    );
    if (response.error || !response.result) {
      void vscode.window.showErrorMessage(`Cannot trace '${packetLine}': ${response.error ?? 'no result'}`);
      return response;
    }
    const model = buildTraceViewModel(response.result, {
      packetLine: (response.packet ?? packetLine) + (options.startHook ? ` (from ${options.startHook})` : ''),
      documentLabel: vscode.workspace.asRelativePath(documentUri),
      focusLine: options.focusLine,
    });
    if (options.explanation) model.notes.unshift(options.explanation);
    const text = options.explanation ? `${options.explanation}\n${response.text ?? ''}` : response.text ?? '';
    this.panel.show({ documentUri, model, text });
    return response;
  }

  /** The input box; pre-filled with `prefill` (the cursor's rule), else the last packet traced on this dump, else a suggestion. */
  private async askForPacket(uri: string, title: string | undefined, options: TraceCommandOptions, nodeAddresses: string[], prefill?: string): Promise<string | undefined> {
    const value = prefill ?? this.memory.get(uri) ?? options.suggestion ?? DEFAULT_SUGGESTION;
    const where = options.startHook ? ` (starting at ${options.startHook})` : '';
    return vscode.window.showInputBox({
      title: title?.replace(/^▶\s*/, '') ?? `Trace Packet${where}`,
      prompt: `Packet${where}: SRC[:PORT] -> DST[:PORT][/PROTO], then any of: in IF, out IF, from local, mark 0x4000, state ESTABLISHED, ttl 64, dscp EF, ecn ect0, pkttype broadcast, mac 3c:22:fb:01:02:03, ipsec none, options linux, mtu 1492, at 2026-11-23T09:30Z, payload "GET /|0d 0a|"`,
      placeHolder: DEFAULT_SUGGESTION,
      value,
      ignoreFocusOut: true,
      validateInput: (text) => validatePacketLine(text, nodeAddresses),
    });
  }

  private async documentFor(uriArgument: unknown): Promise<vscode.TextDocument | undefined> {
    const uri = uriArgument instanceof vscode.Uri ? uriArgument : typeof uriArgument === 'string' && uriArgument ? vscode.Uri.parse(uriArgument) : undefined;
    if (uri) return vscode.workspace.openTextDocument(uri);
    const active = vscode.window.activeTextEditor?.document;
    if (active?.languageId === LANGUAGE_ID) return active;
    // The palette may be used while the trace panel has focus: fall back to a visible dump.
    return vscode.window.visibleTextEditors.find((e) => e.document.languageId === LANGUAGE_ID)?.document;
  }
}

/** The input box's message for `text` (undefined when valid): the pure parser, run in the client. */
export function validatePacketLine(text: string, nodeAddresses: readonly string[] = []): vscode.InputBoxValidationMessage | undefined {
  // `from local` takes the node's address; without a setting the server infers it from the dump,
  // so a stand-in address keeps the box from rejecting what the trace will accept.
  const parsed = parsePacketLine(text, nodeAddresses.length ? nodeAddresses : ['192.0.2.1']);
  if (!parsed.error) return undefined;
  const column = parsed.errorAt !== undefined && text.trim() !== '' ? ` (at column ${parsed.errorAt + 1 + (text.length - text.trimStart().length)})` : '';
  return { message: `${parsed.error}${column}`, severity: vscode.InputBoxValidationSeverity.Error };
}

function sanitizeOptions(raw: unknown): TraceCommandOptions {
  if (!raw || typeof raw !== 'object') return {};
  const r = raw as Record<string, unknown>;
  const options: TraceCommandOptions = {};
  if (typeof r.startHook === 'string' && /^(PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING)$/.test(r.startHook)) options.startHook = r.startHook;
  if (typeof r.suggestion === 'string') options.suggestion = r.suggestion;
  if (typeof r.focusLine === 'number' && Number.isInteger(r.focusLine) && r.focusLine > 0) options.focusLine = r.focusLine;
  if (typeof r.explanation === 'string') options.explanation = r.explanation;
  return options;
}
