// Loads the iptables-save TextMate grammar into vscode-textmate (with the vscode-oniguruma WASM
// regex engine, the same pair VS Code uses) and turns lines into scope lists for the grammar tests.
// vscode-textmate and vscode-oniguruma come in as dependencies of vscode-tmgrammar-test.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedRoot = path.resolve(repoRoot, '..', 'shared');
export const grammarPath = path.join(repoRoot, 'syntaxes', 'iptables-save.tmLanguage.json');
export const scopeName = 'source.iptables-save';
const languageSuffix = '.iptables-save';

let grammarPromise: Promise<textmate.IGrammar> | undefined;

export function loadGrammar(): Promise<textmate.IGrammar> {
  grammarPromise ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm');
    const wasm = readFileSync(wasmPath);
    // loadWASM is idempotent, so sharing the process with vscode-tmgrammar-test's registry is fine.
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new textmate.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (text: string) => new oniguruma.OnigString(text),
      }),
      loadGrammar: async (name: string) =>
        name === scopeName ? textmate.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath) : null,
    });
    const grammar = await registry.loadGrammar(scopeName);
    if (!grammar) throw new Error(`cannot load ${scopeName} from ${grammarPath}`);
    return grammar;
  })();
  return grammarPromise;
}

export interface ScopedToken {
  text: string;
  start: number;
  /** scopes without the root scope, innermost last */
  scopes: string[];
}

/** Tokenizes lines in order, carrying the rule stack from one line to the next as the editor does. */
export function tokenizeLines(grammar: textmate.IGrammar, lines: string[]): ScopedToken[][] {
  let state = textmate.INITIAL;
  return lines.map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens.map((token) => ({
      text: line.slice(token.startIndex, token.endIndex),
      start: token.startIndex,
      scopes: token.scopes.filter((scope) => scope !== scopeName),
    }));
  });
}

/** The editor splits on \r\n, \r and \n, so the grammar never sees a line terminator. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function shortScope(scope: string): string {
  return scope.endsWith(languageSuffix) ? scope.slice(0, -languageSuffix.length) : scope;
}

/** Readable snapshot: each source line, then one row per non-blank token with its scopes. */
export function formatSnapshot(lines: string[], tokens: ScopedToken[][]): string {
  const out: string[] = [];
  lines.forEach((line, index) => {
    out.push(`> ${line}`);
    for (const token of tokens[index]) {
      if (token.text.trim() === '') continue;
      out.push(`  ${JSON.stringify(token.text).padEnd(32)} ${token.scopes.map(shortScope).join(' ')}`);
    }
  });
  return out.join('\n') + '\n';
}
