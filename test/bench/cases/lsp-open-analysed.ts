// Language server, cold: didOpen with the whole dump → the diagnostics with every analysis (see defineOpenCase).
import { defineOpenCase } from '../lsp-session';

export default defineOpenCase('lsp didOpen → all diagnostics', 'all');
