// Bundles the three entry points with esbuild. Type-checking is `npm run typecheck` (tsc).
// The options live in bundle-options.json because the benchmark bundles its cases with them too.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const common = JSON.parse(readFileSync(new URL('./bundle-options.json', import.meta.url), 'utf8'));
await Promise.all([
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'client/dist/extension.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'server/dist/server.js' }),
  build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'server/dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
]);
