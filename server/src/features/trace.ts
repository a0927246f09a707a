// Packet traces for the editor: TRACE_REQUEST runs the pure simulator on the document's cached
// parse; VALIDATE_PACKET_REQUEST checks a packet line while the user types it.
// The only impure part is reading the optional `ipset save` file named in the settings.

import { readFileSync } from 'node:fs';
import {
  TRACE_REQUEST,
  VALIDATE_PACKET_REQUEST,
  type TraceRequestParams,
  type TraceResponse,
  type ValidatePacketParams,
  type ValidatePacketResponse,
} from '../protocol';
import type { Ruleset } from '../netfilter/model';
import { parseIpsetSave } from '../netfilter/ipset';
import { parsePacketLine } from '../netfilter/trace/packet-line';
import { inferLocalAddresses, inferLocalAddressesSteps, tracePacket, type Hook, type TraceRequest } from '../netfilter/trace/simulate';
import { formatTrace } from '../netfilter/trace/format';
import { prepareDispatch } from '../netfilter/trace/dispatch';
import type { Steps } from '../netfilter/steps';
import { runGeneratorSliced } from '../slicing';
import type { Feature } from './context';

const HOOKS: readonly Hook[] = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];

export interface TraceDependencies {
  readFile(path: string): string;
}

const nodeDependencies: TraceDependencies = { readFile: (path) => readFileSync(path, 'utf8') };

/** The TRACE_REQUEST answer for a parsed ruleset (exported for tests: no connection needed). */
export function traceInRuleset(ruleset: Ruleset, params: TraceRequestParams, dependencies: TraceDependencies = nodeDependencies): TraceResponse {
  const given = (params.localAddresses ?? []).map((a) => a.trim()).filter(Boolean);
  // `from local` without a source takes the node's first address: the given ones, else the dump's.
  const parsed = parsePacketLine(params.packet, given.length ? given : inferLocalAddresses(ruleset));
  if (!parsed.request) return { error: parsed.error ?? 'cannot read the packet line' };
  const request: TraceRequest = { ...parsed.request };
  if (given.length) request.localAddresses = given;
  if (!request.fromLocal && !request.inIface && params.defaultInInterface) request.inIface = params.defaultInInterface;
  if (!request.outIface && params.defaultOutInterface) request.outIface = params.defaultOutInterface;
  if (params.startHook) {
    if (!(HOOKS as readonly string[]).includes(params.startHook)) return { error: `unknown hook '${params.startHook}' (expected ${HOOKS.join(', ')})` };
    request.startHook = params.startHook as Hook;
  }
  const notes: string[] = [];
  if (params.ipsetFile) {
    try {
      const { sets, problems } = parseIpsetSave(dependencies.readFile(params.ipsetFile));
      request.ipsets = sets;
      notes.push(`ipset contents from ${params.ipsetFile} (${sets.size} set${sets.size === 1 ? '' : 's'})`);
      if (problems.length) notes.push(`${problems.length} line(s) of ${params.ipsetFile} not understood: ${problems[0].message}`);
    } catch (error) {
      notes.push(`could not read the ipset file ${params.ipsetFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const result = tracePacket(ruleset, request);
  if (notes.length) result.notes.push(...notes);
  return { result, text: formatTrace(result), packet: parsed.normalized };
}

export function validatePacket(params: ValidatePacketParams): ValidatePacketResponse {
  // A stand-in node address: `from local` is valid here, the trace supplies the real one.
  const parsed = parsePacketLine(params.packet ?? '', ['192.0.2.1']);
  if (parsed.error) return { error: parsed.error };
  const exact = parsePacketLine(params.packet ?? '');
  return exact.normalized ? { normalized: exact.normalized } : {};
}

/** What a trace reads about the whole dump, gathered in steps (then kept for the ruleset). */
function* prepareTrace(ruleset: Ruleset): Steps<void> {
  yield* prepareDispatch(ruleset);
  yield* inferLocalAddressesSteps(ruleset);
}

export const traceFeature: Feature = {
  name: 'trace',
  register(ctx) {
    ctx.connection.onRequest(
      TRACE_REQUEST,
      ctx.guard<TraceRequestParams, TraceResponse>('trace', { error: 'the trace failed (see the iptables-lens output)' }, async (params, token) => {
        const doc = await ctx.store.ready(params.uri);
        if (!doc) return { error: 'the document is not open in the language server' };
        // What the trace reads about the whole dump (the long chains' indexes, KUBE-SERVICES …; the
        // node's addresses) in slices first, not inside the trace.
        if (!(await runGeneratorSliced(prepareTrace(doc.ruleset), () => !!token?.isCancellationRequested, 'awaited'))) return { error: 'cancelled' };
        return traceInRuleset(doc.ruleset, params);
      }),
    );
    ctx.connection.onRequest(
      VALIDATE_PACKET_REQUEST,
      ctx.guard<ValidatePacketParams, ValidatePacketResponse>('validatePacket', {}, async (params) => validatePacket(params)),
    );
  },
};
