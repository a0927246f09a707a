// One parsed version of a document plus the lazily built indexes every IDE feature shares.
// Pure: built from text (or an already parsed ruleset) and an optional URI used only for links.

import type { ParsedRuleset } from '../parser';
import { parseRuleset, type ParseOptions } from '../parser';
import { DocumentIndex } from './document-index';
import { AddressIndex, type ShareableAddresses } from './addresses';
import { MarkIndex, type ShareableMarks } from './marks';

/** What the version a document was re-read from had indexed, for its own indexes to share. */
interface Inherited {
  index?: DocumentIndex;
  addresses?: ShareableAddresses;
  marks?: ShareableMarks;
}

export class IdeDocument {
  private indexCache?: DocumentIndex;
  private addressCache?: AddressIndex;
  private markCache?: MarkIndex;

  /** handed to each index as it is made, then dropped (the previous index holds the old model) */
  private readonly inherited: Inherited;

  constructor(
    readonly ruleset: ParsedRuleset,
    /** document URI, used to build `uri#L12` links in hovers; links are omitted without it */
    readonly uri?: string,
    /** the document `ruleset` was re-read from (reparseAfterLineEdit): its index's numbers are shared */
    previous?: IdeDocument,
  ) {
    this.inherited = { index: previous?.indexCache, addresses: previous?.addressCache?.shareable(), marks: previous?.markCache?.shareable() };
  }

  private take<K extends keyof Inherited>(key: K): Inherited[K] {
    const value = this.inherited[key];
    this.inherited[key] = undefined;
    return value;
  }

  static fromText(text: string, options: ParseOptions & { uri?: string } = {}): IdeDocument {
    return new IdeDocument(parseRuleset(text, options), options.uri);
  }

  get text(): string {
    return this.ruleset.text;
  }

  get index(): DocumentIndex {
    return this.navigationIndex().complete();
  }

  /**
   * The navigation index as far as it is built: what is on a line is read from the parse while it is
   * not (DocumentIndex.lineEntry); anything else asked of it builds it at once, as `index` does.
   */
  get partialIndex(): DocumentIndex {
    return this.navigationIndex();
  }

  /** Whether the navigation index is built (reading `index` then costs nothing). */
  get indexBuilt(): boolean {
    return !!this.indexCache?.isComplete;
  }

  private navigationIndex(): DocumentIndex {
    return (this.indexCache ??= new DocumentIndex(this.ruleset, this.take('index')));
  }

  get addresses(): AddressIndex {
    return this.addressIndex(this.index).complete();
  }

  private addressIndex(index: DocumentIndex): AddressIndex {
    return (this.addressCache ??= new AddressIndex(index, this.take('addresses')));
  }

  get marks(): MarkIndex {
    return this.markIndex(this.index).complete();
  }

  private markIndex(index: DocumentIndex): MarkIndex {
    return (this.markCache ??= new MarkIndex(index, this.take('marks')));
  }

  /** Build a slice of the navigation index (every request needs it); true when it is complete. */
  prepareIndex(): boolean {
    return this.navigationIndex().buildSome();
  }

  /** Build a slice of the mark index (and of the navigation index it reads first); true when complete. */
  prepareMarks(): boolean {
    const index = this.navigationIndex();
    return index.buildSome() && this.markIndex(index).buildSome();
  }

  /** Build a slice of the address index (and of the navigation index it reads first); true when complete. */
  prepareAddresses(): boolean {
    const index = this.navigationIndex();
    return index.buildSome() && this.addressIndex(index).buildSome();
  }

  /**
   * Build the indexes a slice at a time (a few thousand rules per call), so a language server can
   * prepare them between requests; true when all are built. Reading an index finishes it at once.
   */
  warmUpStep(): boolean {
    const index = this.navigationIndex();
    if (!index.buildSome()) return false;
    if (!this.markIndex(index).buildSome()) return false;
    return this.addressIndex(index).buildSome();
  }

  /** Markdown link to a 0-based line of this document (`[line 12](uri#L12)`), plain text without a URI. */
  lineLink(line: number, label = `line ${line + 1}`): string {
    return this.uri ? `[${label}](${this.uri}#L${line + 1})` : label;
  }
}
