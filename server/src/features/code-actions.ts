// Quick fixes: every Problem.fix of a problem overlapping the requested range becomes a CodeAction.
import { CodeActionKind, type CodeAction, type CodeActionParams } from 'vscode-languageserver';
import { rangeOf, spanOfRange } from '../ranges';
import { toDiagnostic } from './diagnostics';
import type { Feature } from './context';

export const codeActionsFeature: Feature = {
  name: 'codeActions',
  capabilities: { codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] } },
  register(ctx) {
    ctx.connection.onCodeAction(
      ctx.guard('codeAction', null, async (params: CodeActionParams) => {
        const uri = params.textDocument.uri;
        const doc = await ctx.store.ready(uri);
        if (!doc) return null;
        const lineStarts = doc.ruleset.lineStarts;
        const requested = spanOfRange(lineStarts, params.range, doc.text.length);
        const actions: CodeAction[] = [];
        for (const problem of (await ctx.store.problemsAsync(uri)) ?? []) {
          if (!problem.fixes?.length) continue;
          if (problem.span.end < requested.start || problem.span.start > requested.end) continue;
          const diagnostic = toDiagnostic(uri, lineStarts, problem);
          problem.fixes.forEach((fix, i) => {
            actions.push({
              title: fix.title,
              kind: CodeActionKind.QuickFix,
              diagnostics: [diagnostic],
              isPreferred: problem.fixes!.length === 1 && i === 0,
              edit: { changes: { [uri]: fix.edits.map((e) => ({ range: rangeOf(lineStarts, e.span), newText: e.newText })) } },
            });
          });
        }
        return actions;
      }),
    );
  },
};
