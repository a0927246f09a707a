// Custom LSP requests between the client and the server (beyond the standard LSP).
// Shared by client/src and server/src: plain types and method names only, no imports from vscode.

import type { TraceResult } from './netfilter/trace/types';

/** Trace a packet through the document. */
export const TRACE_REQUEST = 'iptablesLens/trace';

export interface TraceRequestParams {
  uri: string;
  /** the packet in the one-line syntax, e.g. `10.244.0.9 -> 10.96.0.10:53/udp in eth0` */
  packet: string;
  /** node-level defaults from the settings */
  localAddresses?: string[];
  defaultInInterface?: string;
  defaultOutInterface?: string;
  ipsetFile?: string;
  /** start the trace in this hook instead of the packet's first one (lens on a built-in chain) */
  startHook?: string;
}

export interface TraceResponse {
  /** present when the packet line could not be understood */
  error?: string;
  /** the packet line as the server understood it (normalized) */
  packet?: string;
  result?: TraceResult;
  /** the same trace as plain text, for copy/paste into a ticket */
  text?: string;
}

/** Validate a packet line while the user types it (cheap, no trace). */
export const VALIDATE_PACKET_REQUEST = 'iptablesLens/validatePacket';

export interface ValidatePacketParams {
  packet: string;
}

export interface ValidatePacketResponse {
  /** undefined when the line is valid */
  error?: string;
  normalized?: string;
}

/**
 * The packet the rule on a line would be traced with — what its "▶ Trace a matching packet" lens
 * runs, for any rule (lenses stop at 2,000 on a big dump). The command asks it when run from the
 * editor (context menu, title button, palette) with the cursor on a rule line.
 */
export const PACKET_FOR_LINE_REQUEST = 'iptablesLens/packetForLine';

export interface PacketForLineParams {
  uri: string;
  /** 0-based */
  line: number;
}

/** null when the line holds no rule the kernel would load. */
export type PacketForLineResponse = {
  /** e.g. `▶ Trace a matching packet (from a pod)` */
  title: string;
  /** the packet; absent when something must be asked (then `suggestion`) */
  packetLine?: string;
  suggestion?: string;
  /** why the packet looks like it does */
  explanation: string;
  /** 1-based line of the rule */
  focusLine: number;
} | null;

/** Command id the code lenses carry; arguments: [uri, packetLine?, lensTitle?] */
export const TRACE_COMMAND = 'iptables-lens.tracePacket';
