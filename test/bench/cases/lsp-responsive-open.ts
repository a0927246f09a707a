// Language server stays responsive after opening: from the first diagnostics of a freshly opened
// dump until the server is idle (every analysis published, the background index warm-up done), a
// trivial request (hover on line 1) is sent every 20 ms; the case's figure is the LONGEST any of them
// waited (statistic max). The model is ready by then, so each wait is time the server spent in one
// block of work: analysis and warm-up slices, or anything that is not sliced.
import { defineBenchCase, type RunOutcome } from '../api';
import { FRESH_SERVER_LONGEST_WAIT, LspSession } from '../lsp-session';

const INTERVAL_MS = 20;
/** three hovers in a row under this mean the server is idle (as LspSession.idle) */
const IDLE_MS = 3;

export default defineBenchCase<string>({
  name: 'lsp hover after open (max)',
  ...FRESH_SERVER_LONGEST_WAIT,
  async run(ctx, serverPath): Promise<RunOutcome> {
    const session = await LspSession.start(serverPath);
    try {
      const uri = `file://${ctx.dumpPath}`;
      const diagnostics = session.nextDiagnostics(uri, 1);
      const openedAt = performance.now();
      await session.open(uri, ctx.dumpText, 1);
      await diagnostics;
      const firstMs = performance.now() - openedAt;
      const samples: number[] = [];
      let quick = 0;
      // Sequential and paced: each hover waits for the previous answer, then INTERVAL_MS.
      for (let round = 0; round < 2000 && quick < 3; round++) {
        const { ms } = await session.timed('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
        samples.push(ms);
        quick = ms < IDLE_MS ? quick + 1 : 0;
        if (quick < 3) await new Promise((r) => setTimeout(r, INTERVAL_MS));
      }
      const idleMs = performance.now() - openedAt;
      return {
        samplesMs: samples,
        peakRssBytes: session.peakRssBytes(),
        // The first hover also waits for the navigation index (built for it, ahead of the analyses);
        // the later ones only for whatever slice of work runs when they arrive.
        note: `${samples.length} hovers from the first diagnostics (${firstMs.toFixed(0)} ms) until idle (${idleMs.toFixed(0)} ms): the first waited ${samples[0].toFixed(0)} ms, the worst after it ${Math.max(0, ...samples.slice(1)).toFixed(0)} ms`,
      };
    } finally {
      await session.close();
    }
  },
});
