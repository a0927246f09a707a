// Parse-once cache: one IdeDocument (parsed model + lazily built indexes) per open document
// version, shared by every feature. Requests for the current version reuse it; an edit drops it
// and the next request (or the debounced diagnostics) parses the new text once.

import type { TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Problem } from './netfilter/model';
import { IdeDocument } from './netfilter/ide/ide-document';
import { createIncrementalParser } from './netfilter/parser';
import { analyzeRuleset, createIncrementalAnalysis } from './netfilter/analysis';
import { runSliced } from './slicing';

/** Above this size (characters) the server turns the costly features off (see LARGE_DOCUMENT_FEATURES_OFF). */
export const LARGE_DOCUMENT_CHARS = 60_000_000;
export const LARGE_DOCUMENT_FEATURES_OFF = ['analyses (only parse errors are reported)', 'rules in the outline', 'folding', 'workspace symbols for this file'];

interface Entry {
  version: number;
  doc: IdeDocument;
  problems?: Problem[];
  /** lines of the text version the model was parsed from */
  lineCount: number;
}

interface Pending<T> {
  version: number;
  promise: Promise<T | undefined>;
}

export class DocumentStore {
  private readonly entries = new Map<string, Entry>();
  /** the last model of an older version, kept while the current version is parsed (previousFor) */
  private readonly previous = new Map<string, Entry>();
  private readonly parsing = new Map<string, Pending<IdeDocument>>();
  private readonly analysing = new Map<string, Pending<Problem[]>>();

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
    const entry: Entry = { version: textDocument.version, doc, lineCount: textDocument.lineCount };
    this.entries.set(uri, entry);
    this.previous.delete(uri);
    return entry;
  }

  /**
   * The parsed model of the current version, parsed in slices so the server stays responsive on
   * huge dumps. Concurrent callers share one parse; undefined when the document is gone or changed
   * before the parse finished (the caller's request is then out of date anyway).
   */
  async ready(uri: string): Promise<IdeDocument | undefined> {
    const textDocument = this.documents.get(uri);
    if (!textDocument) return undefined;
    const version = textDocument.version;
    const cached = this.entries.get(uri);
    if (cached && cached.version === version) return cached.doc;
    const pending = this.parsing.get(uri);
    if (pending && pending.version === version) return pending.promise;
    const text = textDocument.getText();
    const parser = createIncrementalParser(text, { fileName: fileNameOf(uri) });
    const stale = () => this.documents.get(uri)?.version !== version;
    const lineCount = textDocument.lineCount;
    const promise = (async () => {
      // The old model answers read-only requests on unchanged lines meanwhile (previousFor).
      const old = this.entries.get(uri);
      if (old) this.previous.set(uri, old);
      this.entries.delete(uri);
      const finished = await runSliced(() => parser.step(400), stale);
      if (!finished) return undefined;
      const doc = new IdeDocument(parser.result(), uri);
      // The navigation index too, in slices: built on a request's first use it would block ~0.3 s.
      if (!(await runSliced(() => doc.prepareIndex(), stale))) return undefined;
      if (!stale()) {
        this.entries.set(uri, { version, doc, lineCount });
        this.previous.delete(uri);
      }
      return doc;
    })().finally(() => {
      if (this.parsing.get(uri)?.promise === promise) this.parsing.delete(uri);
    });
    this.parsing.set(uri, { version, promise });
    return promise;
  }

  /** Parse problems plus analyses of the current version, computed once, in slices. */
  async problemsAsync(uri: string): Promise<Problem[] | undefined> {
    const doc = await this.ready(uri);
    const entry = this.entries.get(uri);
    if (!doc || !entry || entry.doc !== doc) return undefined;
    if (entry.problems) return entry.problems;
    const pending = this.analysing.get(uri);
    if (pending && pending.version === entry.version) return pending.promise;
    const version = entry.version;
    const stale = () => this.documents.get(uri)?.version !== version;
    const promise = (async () => {
      const problems = [...doc.ruleset.problems];
      if (!this.isLarge(uri)) {
        const analysis = createIncrementalAnalysis(doc.ruleset);
        const finished = await runSliced(() => analysis.step(), stale);
        if (!finished) return undefined;
        problems.push(...analysis.problems());
      }
      entry.problems = problems;
      return problems;
    })().finally(() => {
      if (this.analysing.get(uri)?.promise === promise) this.analysing.delete(uri);
    });
    this.analysing.set(uri, { version, promise });
    return promise;
  }

  /** Parse problems plus analyses, computed once per version (synchronously). */
  problems(uri: string): Problem[] {
    const entry = this.entry(uri);
    if (!entry) return [];
    if (!entry.problems) {
      const problems = [...entry.doc.ruleset.problems];
      if (!this.isLarge(uri)) {
        try {
          problems.push(...analyzeRuleset(entry.doc.ruleset));
        } catch (error) {
          problems.push({ severity: 'error', code: 'internal/analysis', message: `internal analysis error (please report): ${error instanceof Error ? error.message : String(error)}`, span: { start: 0, end: 0 } });
        }
      }
      entry.problems = problems;
    }
    return entry.problems;
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
    if (textDocument.lineCount !== previous.lineCount) return undefined;
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
