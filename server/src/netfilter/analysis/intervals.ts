// Sets of integers as sorted, disjoint, inclusive [lo, hi] intervals (bigint so that IPv6
// addresses fit). Used for addresses, ports, protocols and ICMP type/code pairs, where the
// shadowing check needs exact subset tests including negation (complement).

export type IntervalSet = ReadonlyArray<readonly [bigint, bigint]>;

export function single(lo: bigint, hi: bigint): IntervalSet {
  return lo <= hi ? [[lo, hi]] : [];
}

/** Union of arbitrary intervals, normalized. */
export function union(parts: ReadonlyArray<readonly [bigint, bigint]>): IntervalSet {
  const sorted = parts.filter(([lo, hi]) => lo <= hi).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Array<[bigint, bigint]> = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1n) {
      if (hi > last[1]) last[1] = hi;
    } else out.push([lo, hi]);
  }
  return out;
}

export function complement(set: IntervalSet, max: bigint): IntervalSet {
  const out: Array<[bigint, bigint]> = [];
  let next = 0n;
  for (const [lo, hi] of set) {
    if (lo > next) out.push([next, lo - 1n]);
    next = hi + 1n;
  }
  if (next <= max) out.push([next, max]);
  return out;
}

export function intersect(a: IntervalSet, b: IntervalSet): IntervalSet {
  const out: Array<[bigint, bigint]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = a[i][0] > b[j][0] ? a[i][0] : b[j][0];
    const hi = a[i][1] < b[j][1] ? a[i][1] : b[j][1];
    if (lo <= hi) out.push([lo, hi]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
}

/** Is every element of `inner` in `outer`? */
export function isSubset(inner: IntervalSet, outer: IntervalSet): boolean {
  let j = 0;
  for (const [lo, hi] of inner) {
    while (j < outer.length && outer[j][1] < lo) j++;
    if (j >= outer.length || outer[j][0] > lo || outer[j][1] < hi) return false;
  }
  return true;
}

export function isUniverse(set: IntervalSet, max: bigint): boolean {
  return set.length === 1 && set[0][0] === 0n && set[0][1] === max;
}
