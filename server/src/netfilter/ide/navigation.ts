// Go to definition, find references, document highlights and rename for chain names.
// Pure: offsets in, spans out. A chain's scope is its table (nat KUBE-SERVICES and filter
// KUBE-SERVICES are two different chains).

import { isBuiltinChain, type Span, type Table, type TextEdit } from '../model';
import { findTarget } from '../extensions/registry';
import type { ChainOccurrence } from './document-index';
import type { IdeDocument } from './ide-document';
import { locate } from './locate';

/** iptables' limit (XT_EXTENSION_MAXNAMELEN - 1). */
export const MAX_CHAIN_NAME_LENGTH = 28;

export interface ChainAtCursor {
  table: Table;
  name: string;
  /** the name token under the cursor */
  span: Span;
}

export function chainAt(doc: IdeDocument, offset: number): ChainAtCursor | undefined {
  const hit = locate(doc.partialIndex, offset);
  if (!hit) return undefined;
  if (hit.kind === 'chain') return { table: hit.table, name: hit.name, span: hit.span };
  if (hit.kind === 'policy') return { table: hit.table, name: hit.chain.name, span: hit.chain.nameSpan ?? hit.span };
  return undefined;
}

/** Where the chain under the cursor is declared (`:X …` or `-N X`). */
export function findDefinition(doc: IdeDocument, offset: number): Span[] {
  return definitionOf(doc, offset, true)!;
}

/**
 * findDefinition() without building the navigation index (right after opening a big dump it takes
 * ≈ 0.1 s): undefined when only the index can tell; the language server then builds it in slices.
 */
export function findDefinitionFromParse(doc: IdeDocument, offset: number): Span[] | undefined {
  return answersFromParse(doc, offset) ? definitionOf(doc, offset, false) : undefined;
}

function definitionOf(doc: IdeDocument, offset: number, buildIndex: boolean): Span[] | undefined {
  const chain = chainAt(doc, offset);
  if (!chain) return [];
  const declared = doc.partialIndex.declarationsFromParse(chain.table, chain.name) ?? (buildIndex || doc.indexBuilt ? doc.index.occurrencesOf(chain.table, chain.name, 'declarations') : undefined);
  if (!declared) return undefined;
  if (declared.length) return declared.map((o) => o.span);
  const model = chain.table.chains.get(chain.name);
  if (model?.nameSpan) return [model.nameSpan];
  // A built-in chain the dump never declares: its table header is the best "declaration".
  if (model?.builtin) return [chain.table.nameSpan];
  return [];
}

export interface ReferenceOptions {
  includeDeclaration: boolean;
}

/** Every jump/goto to the chain and every rule of it (its `-A X` name), within its table. */
export function findReferences(doc: IdeDocument, offset: number, options: ReferenceOptions = { includeDeclaration: true }): Span[] {
  return referencesOf(doc, offset, options, true)!;
}

/** findReferences() without building the navigation index: undefined when only the index can tell (see findDefinitionFromParse). */
export function findReferencesFromParse(doc: IdeDocument, offset: number, options: ReferenceOptions = { includeDeclaration: true }): Span[] | undefined {
  return answersFromParse(doc, offset) ? referencesOf(doc, offset, options, false) : undefined;
}

function referencesOf(doc: IdeDocument, offset: number, options: ReferenceOptions, buildIndex: boolean): Span[] | undefined {
  const chain = chainAt(doc, offset);
  if (!chain) return [];
  return occurrencesOf(doc, chain, buildIndex)
    ?.filter((o) => options.includeDeclaration || o.kind !== 'declaration')
    .map((o) => o.span);
}

/** The chain's occurrences: from the parse when it tells, else from the index (built now when `buildIndex`; else undefined). */
function occurrencesOf(doc: IdeDocument, chain: ChainAtCursor, buildIndex: boolean): ChainOccurrence[] | undefined {
  return doc.partialIndex.occurrencesFromParse(chain.table, chain.name) ?? (buildIndex || doc.indexBuilt ? doc.index.occurrencesOf(chain.table, chain.name) : undefined);
}

/** Whether what is under the cursor can be read without building the index (it is built, or the line is read from the parse). */
function answersFromParse(doc: IdeDocument, offset: number): boolean {
  return doc.partialIndex.answersWithoutBuilding(offset);
}

export type HighlightKind = 'read' | 'write' | 'text';

export interface Highlight {
  span: Span;
  /** `write` for the declaration and rules of the chain (they define it), `read` for jumps to it */
  kind: HighlightKind;
}

export function findHighlights(doc: IdeDocument, offset: number): Highlight[] {
  return highlightsOf(doc, offset, true)!;
}

/** findHighlights() without building the navigation index: undefined when only the index can tell. */
export function findHighlightsFromParse(doc: IdeDocument, offset: number): Highlight[] | undefined {
  return answersFromParse(doc, offset) ? highlightsOf(doc, offset, false) : undefined;
}

function highlightsOf(doc: IdeDocument, offset: number, buildIndex: boolean): Highlight[] | undefined {
  const chain = chainAt(doc, offset);
  if (!chain) return [];
  return occurrencesOf(doc, chain, buildIndex)?.map((o) => ({ span: o.span, kind: highlightKind(o) }));
}

function highlightKind(occurrence: ChainOccurrence): HighlightKind {
  switch (occurrence.kind) {
    case 'declaration':
    case 'rule-chain':
      return 'write';
    case 'jump':
    case 'goto':
      return 'read';
    default:
      return 'text';
  }
}

export type PrepareRenameResult = { span: Span; placeholder: string } | { error: string };

export function prepareRename(doc: IdeDocument, offset: number): PrepareRenameResult {
  const chain = chainAt(doc, offset);
  if (!chain) return { error: 'Only chain names can be renamed: put the cursor on a chain name.' };
  if (isBuiltinChain(chain.table.name, chain.name)) return { error: `${chain.name} is a built-in chain of table ${chain.table.name}; built-in chains cannot be renamed.` };
  return { span: chain.span, placeholder: chain.name };
}

export type RenameResult = { edits: TextEdit[] } | { error: string };

/** Why a name cannot be a chain name, or undefined when it can. */
export function invalidChainName(name: string): string | undefined {
  if (name === '') return 'a chain name cannot be empty';
  if (name.length > MAX_CHAIN_NAME_LENGTH) return `'${name}' is ${name.length} characters; iptables allows at most ${MAX_CHAIN_NAME_LENGTH}`;
  if (/[\s"'\\]/.test(name)) return `'${name}' contains a space or quote; iptables chain names cannot`;
  if (name.startsWith('-') || name.startsWith('!')) return `'${name}' would be read as an option`;
  return undefined;
}

export function rename(doc: IdeDocument, offset: number, newName: string): RenameResult {
  const prepared = prepareRename(doc, offset);
  if ('error' in prepared) return prepared;
  const chain = chainAt(doc, offset)!;
  if (newName === chain.name) return { edits: [] };
  const invalid = invalidChainName(newName);
  if (invalid) return { error: `Cannot rename: ${invalid}.` };
  if (chain.table.chains.has(newName) || isBuiltinChain(chain.table.name, newName)) {
    return { error: `Table ${chain.table.name} already has a chain named ${newName}.` };
  }
  if (findTarget(newName) || ['ACCEPT', 'DROP', 'RETURN', 'QUEUE'].includes(newName)) {
    return { error: `${newName} is a target name; \`-j ${newName}\` would no longer jump to the chain.` };
  }
  const edits = occurrencesOf(doc, chain, true)!.map((o) => ({ span: o.span, newText: newName }));
  return { edits };
}
