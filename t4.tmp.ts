import { runCampaign, describeFailure } from './test/fuzz/campaign';
(async () => {
  const r = await runCampaign({ seed: 1, inputs: 300, workers: 2, saveDir: '/tmp/fz1' });
  console.log(r.inputs, r.failures.length, r.corpusSize, r.features, Math.round(r.ms), r.slowest);
  const seen = new Set<string>();
  for (const f of r.failures) { const k = f.stage + f.detail.replace(/\d+/g,'N').slice(0,80); if (seen.has(k)) continue; seen.add(k); console.log(describeFailure(f)); }
})();
