// Language server, warm: a one-line edit → the first diagnostics of the new version (see defineEditCase).
import { defineEditCase } from '../lsp-session';

export default defineEditCase('lsp edit → first diagnostics', 'first');
