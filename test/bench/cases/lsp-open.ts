// Language server, cold: didOpen with the whole dump → the first diagnostics (see defineOpenCase).
import { defineOpenCase } from '../lsp-session';

export default defineOpenCase('lsp didOpen → first diagnostics', 'first');
