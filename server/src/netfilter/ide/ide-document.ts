// One parsed version of a document plus the lazily built indexes every IDE feature shares.
// Pure: built from text (or an already parsed ruleset) and an optional URI used only for links.

import type { ParsedRuleset } from '../parser';
import { parseRuleset, type ParseOptions } from '../parser';
import { DocumentIndex } from './document-index';
import { AddressIndex, type ShareableAddresses } from './addresses';
import { MarkIndex, type ShareableMarks } from './marks';

export class IdeDocument {
  private indexCache?: DocumentIndex;
  private addressCache?: AddressIndex;
  private markCache?: MarkIndex;

  /** what the version this one was re-read from had indexed (see DocumentIndex, AddressIndex, MarkIndex), until ours are made */
  private previousIndex?: DocumentIndex;
  private previousAddresses?: ShareableAddresses;
  private previousMarks?: ShareableMarks;

  constructor(
    readonly ruleset: ParsedRuleset,
    /** document URI, used to build `uri#L12` links in hovers; links are omitted without it */
    readonly uri?: string,
    /** the document `ruleset` was re-read from (reparseAfterLineEdit): its index's numbers are shared */
    previous?: IdeDocument,
  ) {
    this.previousIndex = previous?.indexCache;
    this.previousAddresses = previous?.addressCache?.shareable();
    this.previousMarks = previous?.markCache?.shareable();
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

  private navigationIndex(): DocumentIndex {
    if (!this.indexCache) {
      this.indexCache = new DocumentIndex(this.ruleset, this.previousIndex);
      this.previousIndex = undefined;
    }
    return this.indexCache;
  }

  get addresses(): AddressIndex {
    return this.addressIndex(this.index).complete();
  }

  private addressIndex(index: DocumentIndex): AddressIndex {
    if (!this.addressCache) {
      this.addressCache = new AddressIndex(index, this.previousAddresses);
      this.previousAddresses = undefined;
    }
    return this.addressCache;
  }

  get marks(): MarkIndex {
    return this.markIndex(this.index).complete();
  }

  private markIndex(index: DocumentIndex): MarkIndex {
    if (!this.markCache) {
      this.markCache = new MarkIndex(index, this.previousMarks);
      this.previousMarks = undefined;
    }
    return this.markCache;
  }

  /** Build a slice of the navigation index (every request needs it); true when it is complete. */
  prepareIndex(): boolean {
    return this.navigationIndex().buildSome();
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
