// The one registry of match and target extensions. Each extension lives in its own file under
// matches/ or targets/; add it to the lists below and everything (parser, completion, hovers,
// simulator) picks it up.
//
// A name can have one spec per family (ah, REJECT differ between iptables and ip6tables); the
// lookup picks the one for the requested family.

import type { Family } from '../model';
import type { MatchSpec, TargetSpec } from './types';
import { addrtypeMatch } from './matches/addrtype';
import { ahMatchIPv4, ahMatchIPv6 } from './matches/ah';
import { bpfMatch } from './matches/bpf';
import { cgroupMatch } from './matches/cgroup';
import { clusterMatch } from './matches/cluster';
import { commentMatch } from './matches/comment';
import { connbytesMatch } from './matches/connbytes';
import { connlabelMatch } from './matches/connlabel';
import { connlimitMatch } from './matches/connlimit';
import { connmarkMatch } from './matches/connmark';
import { conntrackMatch } from './matches/conntrack';
import { cpuMatch } from './matches/cpu';
import { dccpMatch } from './matches/dccp';
import { devgroupMatch } from './matches/devgroup';
import { dscpMatch } from './matches/dscp';
import { dstMatch } from './matches/dst';
import { ecnMatch } from './matches/ecn';
import { espMatch } from './matches/esp';
import { eui64Match } from './matches/eui64';
import { fragMatch } from './matches/frag';
import { hashlimitMatch } from './matches/hashlimit';
import { hbhMatch } from './matches/hbh';
import { helperMatch } from './matches/helper';
import { hlMatch } from './matches/hl';
import { icmpMatch } from './matches/icmp';
import { icmp6Match } from './matches/icmp6';
import { ipcompMatch } from './matches/ipcomp';
import { iprangeMatch } from './matches/iprange';
import { ipv6headerMatch } from './matches/ipv6header';
import { ipvsMatch } from './matches/ipvs';
import { lengthMatch } from './matches/length';
import { limitMatch } from './matches/limit';
import { macMatch } from './matches/mac';
import { markMatch } from './matches/mark';
import { mhMatch } from './matches/mh';
import { multiportMatch } from './matches/multiport';
import { nfacctMatch } from './matches/nfacct';
import { osfMatch } from './matches/osf';
import { ownerMatch } from './matches/owner';
import { physdevMatch } from './matches/physdev';
import { pkttypeMatch } from './matches/pkttype';
import { policyMatch } from './matches/policy';
import { quotaMatch } from './matches/quota';
import { rateestMatch } from './matches/rateest';
import { realmMatch } from './matches/realm';
import { recentMatch } from './matches/recent';
import { rpfilterMatch } from './matches/rpfilter';
import { rtMatch } from './matches/rt';
import { sctpMatch } from './matches/sctp';
import { setMatch } from './matches/set';
import { socketMatch } from './matches/socket';
import { stateMatch } from './matches/state';
import { statisticMatch } from './matches/statistic';
import { stringMatch } from './matches/string';
import { tcpMatch } from './matches/tcp';
import { tcpmssMatch } from './matches/tcpmss';
import { timeMatch } from './matches/time';
import { tosMatch } from './matches/tos';
import { ttlMatch } from './matches/ttl';
import { u32Match } from './matches/u32';
import { udpMatch } from './matches/udp';
import { CLUSTERIPTarget } from './targets/CLUSTERIP';
import { ACCEPTTarget, DROPTarget, QUEUETarget, RETURNTarget } from './targets/builtin';
import { AUDITTarget } from './targets/AUDIT';
import { CHECKSUMTarget } from './targets/CHECKSUM';
import { CLASSIFYTarget } from './targets/CLASSIFY';
import { CONNMARKTarget } from './targets/CONNMARK';
import { CONNSECMARKTarget } from './targets/CONNSECMARK';
import { CTTarget } from './targets/CT';
import { DNATTarget } from './targets/DNAT';
import { DNPTTarget } from './targets/DNPT';
import { DSCPTarget } from './targets/DSCP';
import { ECNTarget } from './targets/ECN';
import { HLTarget } from './targets/HL';
import { HMARKTarget } from './targets/HMARK';
import { IDLETIMERTarget } from './targets/IDLETIMER';
import { LEDTarget } from './targets/LED';
import { LOGTarget } from './targets/LOG';
import { MARKTarget } from './targets/MARK';
import { MASQUERADETarget } from './targets/MASQUERADE';
import { NETMAPTarget } from './targets/NETMAP';
import { NFLOGTarget } from './targets/NFLOG';
import { NFQUEUETarget } from './targets/NFQUEUE';
import { NOTRACKTarget } from './targets/NOTRACK';
import { RATEESTTarget } from './targets/RATEEST';
import { REDIRECTTarget } from './targets/REDIRECT';
import { REJECTTargetIPv4, REJECTTargetIPv6 } from './targets/REJECT';
import { SECMARKTarget } from './targets/SECMARK';
import { SETTarget } from './targets/SET';
import { SNATTarget } from './targets/SNAT';
import { SNPTTarget } from './targets/SNPT';
import { SYNPROXYTarget } from './targets/SYNPROXY';
import { TCPMSSTarget } from './targets/TCPMSS';
import { TCPOPTSTRIPTarget } from './targets/TCPOPTSTRIP';
import { TEETarget } from './targets/TEE';
import { TOSTarget } from './targets/TOS';
import { TPROXYTarget } from './targets/TPROXY';
import { TRACETarget } from './targets/TRACE';
import { TTLTarget } from './targets/TTL';
import { ULOGTarget } from './targets/ULOG';

const MATCHES: MatchSpec[] = [
  addrtypeMatch, ahMatchIPv4, ahMatchIPv6, bpfMatch, cgroupMatch, clusterMatch, commentMatch, connbytesMatch,
  connlabelMatch, connlimitMatch, connmarkMatch, conntrackMatch, cpuMatch, dccpMatch, devgroupMatch, dscpMatch,
  dstMatch, ecnMatch, espMatch, eui64Match, fragMatch, hashlimitMatch, hbhMatch, helperMatch, hlMatch, icmpMatch,
  icmp6Match, ipcompMatch, iprangeMatch, ipv6headerMatch, ipvsMatch, lengthMatch, limitMatch, macMatch, markMatch,
  mhMatch, multiportMatch, nfacctMatch, osfMatch, ownerMatch, physdevMatch, pkttypeMatch, policyMatch, quotaMatch,
  rateestMatch, realmMatch, recentMatch, rpfilterMatch, rtMatch, sctpMatch, setMatch, socketMatch, stateMatch, statisticMatch,
  stringMatch, tcpMatch, tcpmssMatch, timeMatch, tosMatch, ttlMatch, u32Match, udpMatch,
];
const TARGETS: TargetSpec[] = [
  ACCEPTTarget, DROPTarget, RETURNTarget, QUEUETarget, AUDITTarget, CHECKSUMTarget, CLASSIFYTarget, CLUSTERIPTarget, CONNMARKTarget,
  CONNSECMARKTarget, CTTarget, DNATTarget, DNPTTarget, DSCPTarget, ECNTarget, HLTarget, HMARKTarget, IDLETIMERTarget,
  LEDTarget, LOGTarget, MARKTarget, MASQUERADETarget, NETMAPTarget, NFLOGTarget, NFQUEUETarget, NOTRACKTarget,
  RATEESTTarget, REDIRECTTarget, REJECTTargetIPv4, REJECTTargetIPv6, SECMARKTarget, SETTarget, SNATTarget, SNPTTarget,
  SYNPROXYTarget, TCPMSSTarget, TCPOPTSTRIPTarget, TEETarget, TOSTarget, TPROXYTarget, TRACETarget, TTLTarget, ULOGTarget,
];

function indexByName<T extends { name: string; aliases?: string[] }>(specs: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const spec of specs)
    for (const name of [spec.name, ...(spec.aliases ?? [])]) {
      const list = map.get(name);
      if (list) list.push(spec);
      else map.set(name, [spec]);
    }
  return map;
}

const matchByName = indexByName(MATCHES);
const targetByName = indexByName(TARGETS);

/** Without a family the first spec of that name wins (the IPv4 one when there are two). */
function pick<T extends { families?: Family[] }>(list: T[] | undefined, family?: Family): T | undefined {
  if (!list) return undefined;
  if (!family) return list[0];
  // (a loop, not find() with a closure: the analyses ask for every rule's target of a big dump)
  for (const spec of list) if (!spec.families || spec.families.includes(family)) return spec;
  return undefined;
}

/** Match module by the name written after `-m` (case-sensitive, as in iptables). */
export function findMatch(name: string, family?: Family): MatchSpec | undefined {
  return pick(matchByName.get(name), family);
}

/** Target extension or built-in verdict by the name written after `-j`. */
export function findTarget(name: string, family?: Family): TargetSpec | undefined {
  return pick(targetByName.get(name), family);
}

export function allMatches(): readonly MatchSpec[] {
  return MATCHES;
}

export function allTargets(): readonly TargetSpec[] {
  return TARGETS;
}
