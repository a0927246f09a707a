// Reads `ipset save` output (create/add lines) into the simulator's ipset map. Pure.

import type { IpsetContent } from './packet';
import type { Problem } from './model';

export function parseIpsetSave(text: string): { sets: Map<string, IpsetContent>; problems: Problem[] } {
  const sets = new Map<string, IpsetContent>();
  const problems: Problem[] = [];
  let offset = 0;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    const words = line.trim().split(/\s+/);
    const span = { start: offset, end: offset + line.length };
    offset += rawLine.length + 1;
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (words[0] === 'create' || words[0] === '-N' || words[0] === 'n') {
      if (!words[1] || !words[2]) {
        problems.push({ severity: 'error', code: 'ipset/bad-create', message: 'create needs a set name and a type', span });
        continue;
      }
      sets.set(words[1], { name: words[1], type: words[2], members: [], options: words.slice(3).join(' ') });
    } else if (words[0] === 'add' || words[0] === '-A' || words[0] === 'a') {
      const set = sets.get(words[1]);
      if (!set || !words[2]) {
        problems.push({ severity: 'error', code: 'ipset/bad-add', message: set ? 'add needs a member' : `set '${words[1]}' is added to before it is created`, span });
        continue;
      }
      // the element and its options: `nomatch` changes what the element means
      set.members.push(words.slice(2).join(' '));
    } else {
      problems.push({ severity: 'warning', code: 'ipset/unknown-line', message: `unexpected ipset line '${words[0]}'`, span });
    }
  }
  return { sets, problems };
}
