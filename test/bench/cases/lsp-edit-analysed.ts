// Language server, warm: a one-line edit → the diagnostics with every analysis of the new version (see defineEditCase).
import { defineEditCase } from '../lsp-session';

export default defineEditCase('lsp edit → all diagnostics', 'all');
