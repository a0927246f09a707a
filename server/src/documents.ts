// Parse-once cache: one IdeDocument (parsed model + lazily built indexes) per open document
// version, shared by every feature. Requests for the current version reuse it; an edit drops it
// and the next request (or the debounced diagnostics) parses the new text once.

import type { TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Problem } from './netfilter/model';
import { IdeDocument } from './netfilter/ide/ide-document';

import { analyzeRuleset } from './netfilter/analysis';

/** Above this size (characters) the server turns the costly features off (see LARGE_DOCUMENT_FEATURES_OFF). */
export const LARGE_DOCUMENT_CHARS = 60_000_000;
export const LARGE_DOCUMENT_FEATURES_OFF = ['analyses (only parse errors are reported)', 'rules in the outline', 'folding', 'workspace symbols for this file'];

interface Entry {
  version: number;
  doc: IdeDocument;
  problems?: Problem[];
}

export class DocumentStore {
  private readonly entries = new Map<string, Entry>();

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
    // Drop the old model before parsing the new one: two big models at once would double the peak memory.
    this.entries.delete(uri);
    const text = textDocument.getText();
    const doc = IdeDocument.fromText(text, { fileName: fileNameOf(uri), uri });
    const entry: Entry = { version: textDocument.version, doc };
    this.entries.set(uri, entry);
    return entry;
  }

  /** Parse problems plus analyses, computed once per version. */
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
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}
