// Parse-once cache: one IdeDocument (parsed model + lazily built indexes) per open document
// version, shared by every feature. Requests for the current version reuse it; an edit drops it
// and the next request (or the debounced diagnostics) parses the new text once — or, for an edit
// inside one rule line, re-reads that line into the previous model (reparseAfterLineEdit).

import type { TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { hasLoneCarriageReturn, LensTextDocument } from './text-document';
import type { Problem } from './netfilter/model';
import { IdeDocument } from './netfilter/ide/ide-document';
import { createIncrementalParser, lineEditOf, reparseAfterLineEditInSteps } from './netfilter/parser';
import { moveProblemsThroughEdit } from './netfilter/text-diff';
import { analyzeAfterLineEditInSteps, createIncrementalAnalysis, type CompletedAnalysis } from './netfilter/analysis';
import { JobPriority, runGeneratorSliced, runSliced } from './slicing';

/** Above this size (characters) the server turns the costly features off (see LARGE_DOCUMENT_FEATURES_OFF). */
export const LARGE_DOCUMENT_CHARS = 60_000_000;
export const LARGE_DOCUMENT_FEATURES_OFF = ['analyses (only parse errors are reported)', 'rules in the outline', 'folding', 'workspace symbols for this file'];

interface Entry {
  version: number;
  doc: IdeDocument;
}

/**
 * Lines of the model's text as the client counts them (TextDocument.lineCount), or -1 when the text
 * has a lone `\r` (a line break for LSP, not for iptables-restore: the two numberings differ). Read
 * from the model so that opening a document does not have TextDocument compute its line offsets
 * (≈ 0.1 s for 17 MB) before the first diagnostics.
 */
function lspLineCount(doc: IdeDocument): number {
  let count = lspLineCounts.get(doc);
  if (count === undefined) {
    count = hasLoneCarriageReturn(doc.text) ? -1 : doc.ruleset.lineStarts.length;
    lspLineCounts.set(doc, count);
  }
  return count;
}
const lspLineCounts = new WeakMap<IdeDocument, number>();

/** A version being parsed: its model once parsed, then once its navigation index is built too. */
interface PendingParse {
  version: number;
  parsed: Promise<IdeDocument | undefined>;
  indexed: Promise<IdeDocument | undefined>;
  /** the index build's priority: background until a request waits for it */
  indexJob: JobPriority;
}

interface Pending<T> {
  version: number;
  promise: Promise<T | undefined>;
}

/** The analyses' findings on one version (parse problems not included), with what they knew. */
interface Analysed {
  version: number;
  text: string;
  problems: Problem[];
  /** for analyzeAfterLineEdit of the next version */
  completed: CompletedAnalysis;
}

export class DocumentStore {
  private readonly entries = new Map<string, Entry>();
  /** the last model of an older version, kept while the current version is parsed (previousFor) */
  private readonly previous = new Map<string, Entry>();
  private readonly parsing = new Map<string, PendingParse>();
  private readonly analysing = new Map<string, Pending<Problem[]>>();
  /** the last version analysed completely, per document (carriedOverAnalysis) */
  private readonly analysed = new Map<string, Analysed>();

  constructor(private readonly documents: TextDocuments<TextDocument>) {}

  /** The parsed model of the document's current version (parsed now if not yet). */
  get(uri: string): IdeDocument | undefined {
    return this.entry(uri)?.doc;
  }

  private entry(uri: string): Entry | undefined {
    const textDocument = this.documents.get(uri);
    if (!textDocument) return undefined;
    const cached = this.entries.get(uri);
    if (cached && cached.version === textDocument.version) return cached;
    this.entries.delete(uri);
    const text = textDocument.getText();
    const doc = IdeDocument.fromText(text, { fileName: fileNameOf(uri), uri });
    const entry: Entry = { version: textDocument.version, doc };
    this.entries.set(uri, entry);
    this.previous.delete(uri);
    return entry;
  }

  /**
   * The parsed model of the current version with its navigation index, built in slices so the
   * server stays responsive on huge dumps. Concurrent callers share one parse; undefined when the
   * document is gone or changed before it finished (the caller's request is then out of date anyway).
   */
  async ready(uri: string, options: { forRequest?: boolean } = {}): Promise<IdeDocument | undefined> {
    const started = this.startParse(uri);
    if (started instanceof IdeDocument || started === undefined) return started;
    // A request the user is waiting for (a hover right after opening a big dump): its index is
    // built before the rest of the analysis, not after it (~0.3 s instead of ~1 s at 10k services).
    if (options.forRequest) started.indexJob.raise('awaited');
    return started.indexed;
  }

  /** Like ready(), without waiting for the navigation index (what the diagnostics need). */
  async parsed(uri: string): Promise<IdeDocument | undefined> {
    const started = this.startParse(uri);
    return started instanceof IdeDocument || started === undefined ? started : started.parsed;
  }

  private startParse(uri: string): IdeDocument | PendingParse | undefined {
    const textDocument = this.documents.get(uri);
    if (!textDocument) return undefined;
    const version = textDocument.version;
    const cached = this.entries.get(uri);
    if (cached && cached.version === version) return cached.doc;
    const pending = this.parsing.get(uri);
    if (pending && pending.version === version) return pending;
    const text = textDocument.getText();
    const stale = () => this.documents.get(uri)?.version !== version;
    // The old model answers read-only requests on unchanged lines meanwhile (previousFor).
    const old = cached ?? this.previous.get(uri);
    if (cached) this.previous.set(uri, cached);
    this.entries.delete(uri);
    const options = { fileName: fileNameOf(uri) };
    const parsed = (async () => {
      // An edit inside one rule line: the previous model with that line read again (a tenth of a parse).
      if (old) {
        const reparsed = await runGeneratorSliced(reparseAfterLineEditInSteps(old.doc.ruleset, text, options), stale);
        if (!reparsed) return undefined;
        if (reparsed.value) return new IdeDocument(reparsed.value, uri, old.doc);
      }
      const parser = createIncrementalParser(text, options);
      if (!(await runSliced(() => parser.step(400), stale))) return undefined;
      const ruleset = parser.result();
      // The editor's copy of the text needs the same line starts for its first edit: shared, not recomputed.
      const current = this.documents.get(uri);
      if (current instanceof LensTextDocument && current.version === version) current.adoptLineStarts(text, ruleset.lineStarts);
      return new IdeDocument(ruleset, uri);
    })();
    const indexJob = new JobPriority('background');
    const indexed = parsed
      .then(async (doc) => {
        // The navigation index too, in slices: built on a request's first use it would block ~0.3 s.
        if (!doc || !(await runSliced(() => doc.prepareIndex(), stale, indexJob))) return undefined;
        if (!stale()) {
          this.entries.set(uri, { version, doc });
          this.previous.delete(uri);
        }
        return doc;
      })
      .finally(() => {
        if (this.parsing.get(uri)?.indexed === indexed) this.parsing.delete(uri);
      });
    const started: PendingParse = { version, parsed, indexed, indexJob };
    this.parsing.set(uri, started);
    return started;
  }

  /** Parse problems plus analyses of the current version, computed once, in slices. */
  async problemsAsync(uri: string): Promise<Problem[] | undefined> {
    const textDocument = this.documents.get(uri);
    if (!textDocument) return undefined;
    const version = textDocument.version;
    const pending = this.analysing.get(uri);
    if (pending && pending.version === version) return pending.promise;
    const stale = () => this.documents.get(uri)?.version !== version;
    const promise = (async () => {
      const doc = await this.parsed(uri);
      if (!doc || stale()) return undefined;
      const done = this.analysed.get(uri);
      let analysis: Problem[] = [];
      if (done && done.version === version) analysis = done.problems;
      else if (!this.isLarge(uri)) {
        // After an edit inside one rule line, only the checks that read that rule run again.
        let completed: CompletedAnalysis | undefined;
        if (done) {
          const local = await runGeneratorSliced(analyzeAfterLineEditInSteps(done.completed, doc.ruleset), stale);
          if (!local) return undefined;
          completed = local.value;
        }
        if (!completed) {
          const whole = createIncrementalAnalysis(doc.ruleset);
          // Ahead of the navigation index (background): diagnostics first; meanwhile requests on
          // unchanged lines are answered from the previous model (previousFor).
          if (!(await runSliced(() => whole.step(), stale))) return undefined;
          completed = whole.completed();
        }
        analysis = completed.problems;
        this.analysed.set(uri, { version, text: doc.text, problems: analysis, completed });
      }
      return [...doc.ruleset.problems, ...analysis];
    })().finally(() => {
      if (this.analysing.get(uri)?.promise === promise) this.analysing.delete(uri);
    });
    this.analysing.set(uri, { version, promise });
    return promise;
  }

  /**
   * The findings of the last complete analysis (of an older version), moved onto `doc`'s text:
   * those on the lines the edits since then touched are dropped, the others keep their place. What
   * a client shows while the new version is analysed, instead of no analysis findings at all.
   */
  carriedOverAnalysis(uri: string, doc: IdeDocument): Problem[] {
    const done = this.analysed.get(uri);
    if (!done) return [];
    if (done.text === doc.text) return done.problems;
    // A re-read line knows where the texts differ: no second comparison of two 17 MB texts.
    const edit = lineEditOf(doc.ruleset);
    const region = edit && edit.previous.deref()?.text === done.text ? edit.region : undefined;
    return moveProblemsThroughEdit(done.text, doc.text, done.problems, region);
  }

  /**
   * While the current version is still being parsed: the previous version's model, when the text
   * has as many lines and `line` reads the same in both — so a hover or a definition on an unchanged
   * line is answered at once instead of after the parse. Undefined otherwise (wait for ready()).
   * For read-only requests only: the old model's offsets are not the new text's.
   */
  previousFor(uri: string, line: number): IdeDocument | undefined {
    const textDocument = this.documents.get(uri);
    if (!textDocument) return undefined;
    const cached = this.entries.get(uri);
    if (cached?.version === textDocument.version) return undefined;
    // The model of an older version: still cached (the new parse has not started) or set aside.
    const previous = cached ?? this.previous.get(uri);
    if (!previous) return undefined;
    if (textDocument.lineCount !== lspLineCount(previous.doc)) return undefined;
    const old = previous.doc.ruleset;
    const start = old.lineStarts[line];
    if (start === undefined) return undefined;
    const end = line + 1 < old.lineStarts.length ? old.lineStarts[line + 1] : old.text.length;
    const now = textDocument.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
    return now.length === end - start && old.text.startsWith(now, start) ? previous.doc : undefined;
  }

  /** The version the cached model was parsed from, if any (no parse). */
  cachedVersion(uri: string): number | undefined {
    return this.entries.get(uri)?.version;
  }

  isLarge(uri: string): boolean {
    const textDocument = this.documents.get(uri);
    return !!textDocument && textDocument.getText().length > LARGE_DOCUMENT_CHARS;
  }

  delete(uri: string): void {
    this.entries.delete(uri);
    this.previous.delete(uri);
    this.analysed.delete(uri);
  }

  /** Parsed models of every open document (workspace symbols). */
  all(): IdeDocument[] {
    const result: IdeDocument[] = [];
    for (const textDocument of this.documents.all()) {
      const doc = this.get(textDocument.uri);
      if (doc) result.push(doc);
    }
    return result;
  }
}

function fileNameOf(uri: string): string {
  const path = uri.replace(/[?#].*$/, '');
  const name = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(name);
  } catch {
    return name; // a malformed %-escape in the URI must not break the document
  }
}
