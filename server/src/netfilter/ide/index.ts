// The IDE layer: pure features over a parsed document, offsets in and out (no LSP types).
// server/src/features/* adapt them to LSP; server/src/ranges.ts converts offsets.
export { IdeDocument } from './ide-document';
export { DocumentIndex, type ChainOccurrence, type LineEntry } from './document-index';
export { locate, type CursorTarget } from './locate';
export { findDefinition, findReferences, findHighlights, prepareRename, rename, invalidChainName, MAX_CHAIN_NAME_LENGTH, type Highlight } from './navigation';
export { documentSymbols, chainSymbols, foldingRanges, OUTLINE_RULES_LIMIT, type OutlineSymbol, type FoldRange } from './symbols';
export { hover, hoverNeeds, type HoverNeeds, type HoverResult } from './hover';
export { complete, type CompletionEntry, type CompletionKind } from './completion';
export { knownChain } from './known-chains';
