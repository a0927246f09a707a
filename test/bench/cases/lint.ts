// In-process lint: parse plus every analysis (lintText), i.e. all the diagnostics of the file —
// what the language server computes on open and the CLI's `lint` minus process start and output.
import { defineBenchCase } from '../api';
import { lintText } from '../../../server/src/netfilter/lint';

export default defineBenchCase({
  name: 'lint (in-process)',
  target: { ratioToRestore: 0.5 },
  setup(ctx) {
    void ctx.dumpText;
  },
  run(ctx) {
    const { ruleset, problems } = lintText(ctx.dumpText, { family: 'ipv4', fileName: ctx.dumpPath });
    if (ruleset.problems.some((p) => p.severity === 'error')) throw new Error(`the generated dump has parse errors: ${ruleset.problems[0].message}`);
    return { note: `${problems.length} diagnostics` };
  },
});
