// "▶ Trace" code lenses (what goes where: netfilter/ide/code-lens.ts), and the same packet for the
// rule on any line (PACKET_FOR_LINE_REQUEST: the trace command run from the editor).
// Cheap on big dumps: textDocument/codeLens returns ranges and data only (one pass over the rules,
// capped); codeLens/resolve synthesizes the packet for the lenses VS Code actually shows.
// The command is TRACE_COMMAND with [uri, packetLine?, title, options] (options: startHook,
// suggestion, focusLine, explanation — see client/src/trace/trace-command.ts).

import type { CodeLens, CodeLensParams } from 'vscode-languageserver';
import { PACKET_FOR_LINE_REQUEST, TRACE_COMMAND, type PacketForLineParams, type PacketForLineResponse } from '../protocol';
import { findLensSites, prepareLensFacts, suggestedPacketForHook, synthesizePacketForRule, type LensKind, type NodeSettings } from '../netfilter/ide/code-lens';
import { runGeneratorSliced } from '../slicing';
import { rangeOf } from '../ranges';
import type { Feature, ServerContext } from './context';

interface LensData {
  uri: string;
  kind: LensKind;
  /** 0-based line of the chain declaration / rule */
  line: number;
  chain: string;
}

const SETTINGS_TTL_MS = 2000;

export const codeLensFeature: Feature = {
  name: 'codeLens',
  capabilities: { codeLensProvider: { resolveProvider: true } },
  register(ctx) {
    const settings = new SettingsCache(ctx);
    ctx.connection.onCodeLens(
      ctx.guard('codeLens', [] as CodeLens[], async (params: CodeLensParams) => {
        const doc = await ctx.store.ready(params.textDocument.uri);
        if (!doc) return [];
        const { lineStarts } = doc.ruleset;
        const { sites } = findLensSites(doc.ruleset);
        return sites.map((site) => ({
          range: rangeOf(lineStarts, { start: site.start, end: site.start }),
          data: { uri: params.textDocument.uri, kind: site.kind, line: site.line, chain: site.chain } satisfies LensData,
        }));
      }),
    );
    ctx.connection.onRequest(
      PACKET_FOR_LINE_REQUEST,
      ctx.guard('packetForLine', null as PacketForLineResponse, async (params: PacketForLineParams, token): Promise<PacketForLineResponse> => {
        const doc = await ctx.store.ready(params.uri, { forRequest: true });
        const rule = doc?.index.ruleOnLine(params.line);
        if (!doc || !rule || rule.broken || rule.otherFamily) return null;
        const node = await settings.get(params.uri);
        // What every lens packet reads about the whole dump, in slices, before the first one.
        if (!(await runGeneratorSliced(prepareLensFacts(doc.ruleset), () => !!token?.isCancellationRequested, 'awaited'))) return null;
        const packet = synthesizePacketForRule(doc.ruleset, rule, node);
        return { title: packet.title, packetLine: packet.packetLine, suggestion: packet.suggestion, explanation: packet.explanation, focusLine: rule.line + 1 };
      }),
    );
    ctx.connection.onCodeLensResolve(
      ctx.guard('codeLens/resolve', null as unknown as CodeLens, async (lens: CodeLens, token) => {
        const data = lens.data as LensData | undefined;
        const doc = data && await ctx.store.ready(data.uri);
        if (!data || !doc) return { ...lens, command: { title: '▶ Trace packet…', command: TRACE_COMMAND, arguments: data ? [data.uri] : [] } };
        const node = await settings.get(data.uri);
        // (as for packetForLine: the whole dump's facts in slices, before the first lens packet)
        if (!(await runGeneratorSliced(prepareLensFacts(doc.ruleset), () => !!token?.isCancellationRequested, 'awaited'))) return lens;
        if (data.kind === 'hook') {
          const title = '▶ Trace packet…';
          return {
            ...lens,
            command: { title, command: TRACE_COMMAND, arguments: [data.uri, undefined, `${title} (from ${data.chain})`, { startHook: data.chain, suggestion: suggestedPacketForHook(doc.ruleset, data.chain, node) }] },
          };
        }
        const rule = doc.index.ruleOnLine(data.line);
        if (!rule) return { ...lens, command: { title: '▶ Trace packet…', command: TRACE_COMMAND, arguments: [data.uri] } };
        const packet = synthesizePacketForRule(doc.ruleset, rule, node);
        const options = { focusLine: rule.line + 1, suggestion: packet.suggestion, explanation: packet.explanation };
        return {
          ...lens,
          command: { title: packet.title, tooltip: packet.explanation, command: TRACE_COMMAND, arguments: [data.uri, packet.packetLine, packet.title, options] },
        };
      }),
    );
  },
};

/** The `iptables-lens` settings of a document, asked from the client (workspace/configuration), briefly cached. */
class SettingsCache {
  private readonly cache = new Map<string, { at: number; value: Promise<NodeSettings> }>();

  constructor(private readonly ctx: ServerContext) {}

  get(uri: string): Promise<NodeSettings> {
    const now = Date.now();
    const cached = this.cache.get(uri);
    if (cached && now - cached.at < SETTINGS_TTL_MS) return cached.value;
    const value = this.fetch(uri);
    this.cache.set(uri, { at: now, value });
    if (this.cache.size > 50) this.cache.clear();
    return value;
  }

  private async fetch(uri: string): Promise<NodeSettings> {
    try {
      const config = (await this.ctx.connection.workspace.getConfiguration({ scopeUri: uri, section: 'iptables-lens' })) as Record<string, unknown> | null;
      const addresses = Array.isArray(config?.nodeAddresses) ? config.nodeAddresses.filter((a): a is string => typeof a === 'string' && a.trim() !== '') : [];
      const inIface = typeof config?.defaultInInterface === 'string' && config.defaultInInterface.trim() ? config.defaultInInterface.trim() : undefined;
      return { nodeAddresses: addresses, defaultInInterface: inIface };
    } catch {
      // A client without workspace/configuration: the dump's own facts only.
      return {};
    }
  }
}
