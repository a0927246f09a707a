// Scratch workspaces for e2e runs: test/e2e/workspace plus the shared seed dumps, copied at run time
// into a temp dir (never into the repo), so tests may edit and save files freely.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eDir, repoRoot } from './codeServer';

/** Seed dumps shared by all helpers (kube-proxy / flannel), read from ../shared relative to the repo. */
export const seedsDir = join(repoRoot, '..', 'shared', 'fixtures', 'seeds');

export interface ScratchWorkspace {
  path: string;
  remove(): void;
}

/** Layout: the files of test/e2e/workspace at the top, the seed dumps under seeds/. */
export function prepareWorkspace(): ScratchWorkspace {
  const path = mkdtempSync(join(tmpdir(), 'iptables-lens-e2e-workspace-'));
  const remove = () => rmSync(path, { recursive: true, force: true });
  try {
    cpSync(join(e2eDir, 'workspace'), path, { recursive: true });
    mkdirSync(join(path, 'seeds'));
    const seeds = readdirSync(seedsDir).filter((n) => n.endsWith('.rules'));
    if (seeds.length === 0) throw new Error(`no seed dumps in ${seedsDir}`);
    for (const name of seeds) cpSync(join(seedsDir, name), join(path, 'seeds', name));
  } catch (error) {
    remove();
    throw error;
  }
  return { path, remove };
}
