// Diagnostics: parse problems + analyses, published on open at once and after edits with a
// 50 ms debounce: enough to take a burst of keystrokes (key repeat, a paste in pieces) as one
// edit; an edit inside a rule line is re-read and re-analysed in ~0.1 s of sliced work
// (reparseAfterLineEdit, analyzeAfterLineEdit), so a longer wait would only delay the feedback.

import { DiagnosticSeverity, MessageType, type Diagnostic } from 'vscode-languageserver';
import { LARGE_DOCUMENT_FEATURES_OFF } from '../documents';
import { runSliced } from '../slicing';
import type { Problem } from '../netfilter/model';
import { rangeOf } from '../ranges';
import type { Feature, ServerContext } from './context';

export const DIAGNOSTICS_DEBOUNCE_MS = 50;

/**
 * Sent after the diagnostics of a version that include every analysis (a big document's versions
 * get a first, parse-only publish before): `{ uri, version }`. The benchmark and the tests wait
 * for it; clients may ignore it.
 */
export const ANALYSED_NOTIFICATION = 'iptables-lens/analysed';

const SEVERITY: Record<Problem['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(uri: string, lineStarts: readonly number[], problem: Problem): Diagnostic {
  return {
    range: rangeOf(lineStarts, problem.span),
    severity: SEVERITY[problem.severity] ?? DiagnosticSeverity.Error,
    code: problem.code,
    source: 'iptables-lens',
    message: problem.message,
    relatedInformation: problem.related?.map((r) => ({ location: { uri, range: rangeOf(lineStarts, r.span) }, message: r.message })),
  };
}

export const diagnosticsFeature: Feature = {
  name: 'diagnostics',
  register(ctx: ServerContext) {
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    const warnedLarge = new Set<string>();

    /** Above this many characters, parse problems are published before the (slower) analyses finish. */
    const EARLY_PARSE_DIAGNOSTICS_CHARS = 1_000_000;

    const publish = async (uri: string) => {
      try {
        const textDocument = ctx.documents.get(uri);
        if (!textDocument) return;
        const version = textDocument.version;
        const current = () => ctx.documents.get(uri)?.version === version;
        if (ctx.store.isLarge(uri) && !warnedLarge.has(uri)) {
          warnedLarge.add(uri);
          void ctx.connection.sendNotification('window/showMessage', {
            type: MessageType.Warning,
            message: `iptables-lens: ${uri.slice(uri.lastIndexOf('/') + 1)} is very large; turned off: ${LARGE_DOCUMENT_FEATURES_OFF.join(', ')}.`,
          });
        }
        const doc = await ctx.store.parsed(uri);
        if (!doc || !current()) return; // edited meanwhile: the newer version publishes
        const lineStarts = doc.ruleset.lineStarts;
        if (doc.text.length > EARLY_PARSE_DIAGNOSTICS_CHARS) {
          // First the parse problems of this version, with the previous version's analysis findings
          // on the lines the edit did not touch (so they do not blink off while it is re-analysed).
          const early = [...doc.ruleset.problems, ...ctx.store.carriedOverAnalysis(uri, doc)];
          void ctx.connection.sendDiagnostics({ uri, version, diagnostics: early.map((p) => toDiagnostic(uri, lineStarts, p)) });
        }
        const problems = await ctx.store.problemsAsync(uri);
        if (!problems || !current()) return;
        const diagnostics = problems.map((p) => toDiagnostic(uri, lineStarts, p));
        void ctx.connection.sendDiagnostics({ uri, version, diagnostics });
        void ctx.connection.sendNotification(ANALYSED_NOTIFICATION, { uri, version });
        await warmUp(uri, version);
      } catch (error) {
        ctx.logError(`diagnostics failed for ${uri}`, error);
      }
    };

    // Build the navigation / mark / address indexes right after publishing, so that the first
    // hover or definition does not pay for them — in slices, so that requests and edits are served
    // meanwhile (dropped when the document changed).
    const warmUp = async (uri: string, version: number) => {
      const stale = () => ctx.documents.get(uri)?.version !== version;
      const doc = await ctx.store.ready(uri);
      if (!doc || stale()) return;
      // The editor's text needs its line offsets for the first edit: shared with the parse (see
      // LensTextDocument.adoptLineStarts) unless a lone `\r` makes them differ; then computed now
      // (≈ 0.1 s at 17 MB in one block), rather than on the user's first keystroke.
      void ctx.documents.get(uri)?.lineCount;
      await runSliced(() => doc.warmUpStep(), stale, 'background');
    };

    const schedule = (uri: string, delay: number) => {
      const pending = timers.get(uri);
      if (pending) clearTimeout(pending);
      timers.set(
        uri,
        setTimeout(() => {
          timers.delete(uri);
          void publish(uri);
        }, delay),
      );
    };

    // TextDocuments fires onDidOpen and then onDidChangeContent for an open: publish the first
    // diagnostics at once, debounce only real edits.
    const justOpened = new Set<string>();
    ctx.documents.onDidOpen((event) => {
      justOpened.add(event.document.uri);
      schedule(event.document.uri, 0);
    });
    ctx.documents.onDidChangeContent((event) => {
      if (justOpened.delete(event.document.uri)) return;
      schedule(event.document.uri, DIAGNOSTICS_DEBOUNCE_MS);
    });
    ctx.documents.onDidClose((event) => {
      const pending = timers.get(event.document.uri);
      if (pending) clearTimeout(pending);
      timers.delete(event.document.uri);
      warnedLarge.delete(event.document.uri);
      justOpened.delete(event.document.uri);
      ctx.store.delete(event.document.uri);
      void ctx.connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
    });
  },
};
