// Where a trace case's `dump:` line points: `seed:` → ../shared/fixtures/seeds, `example:` →
// examples/, anything else relative to the case file.
import { resolve } from 'node:path';

const repo = resolve(__dirname, '..', '..');

export function resolveDump(reference: string, caseDir: string): string {
  if (reference.startsWith('seed:')) return resolve(repo, '..', 'shared', 'fixtures', 'seeds', reference.slice(5));
  if (reference.startsWith('example:')) return resolve(repo, 'examples', reference.slice(8));
  return resolve(caseDir, reference);
}
