// Language server latency of textDocument/references at ~200 positions spread over the open dump
// (chain names after -j, chain declarations, marks, addresses); the target is on the p95.
import { positionRequestCase } from '../lsp-session';

export default positionRequestCase('references');
