// Data-driven IDE tests. A case file is
//
//   <dump text with one `|` marking the cursor>          or   seed: <file in ../shared/fixtures/seeds>
//   ---                                                         at: <search string, `|` = cursor inside it> | <line>:<col> (1-based)
//   <expected output>                                           ---
//                                                               <expected output>
//
// UPDATE_EXPECTED=1 rewrites the expected part from what the code produces.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import { IdeDocument } from '../../server/src/netfilter/ide/ide-document';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const SEEDS_DIR = resolve(REPO_ROOT, '..', 'shared', 'fixtures', 'seeds');
export const CASE_URI = 'file:///dump.rules';
const SEPARATOR = '\n---\n';

export interface IdeCase {
  file: string;
  doc: IdeDocument;
  offset: number;
  expected: string;
  /** extra `key: value` header lines of seed cases */
  header: Record<string, string>;
}

function cursorOf(text: string, at: string): number {
  const lineCol = /^(\d+):(\d+)$/.exec(at);
  if (lineCol) {
    const lines = text.split('\n');
    let offset = 0;
    for (let i = 0; i < Number(lineCol[1]) - 1; i++) offset += lines[i].length + 1;
    return offset + Number(lineCol[2]) - 1;
  }
  const bar = at.indexOf('|');
  const needle = bar < 0 ? at : at.slice(0, bar) + at.slice(bar + 1);
  const found = text.indexOf(needle);
  if (found < 0) throw new Error(`search string not found: ${needle}`);
  return found + (bar < 0 ? 0 : bar);
}

export function loadCase(file: string): IdeCase {
  const raw = readFileSync(file, 'utf8');
  const split = raw.indexOf(SEPARATOR);
  if (split < 0) throw new Error(`${file}: no '---' line`);
  const input = raw.slice(0, split + 1);
  const expected = raw.slice(split + SEPARATOR.length).replace(/\n$/, '');
  if (input.startsWith('seed:')) {
    const header: Record<string, string> = {};
    for (const line of input.split('\n')) {
      const m = /^(\w+):\s*(.*)$/.exec(line);
      if (m) header[m[1]] = m[2];
    }
    const text = readFileSync(join(SEEDS_DIR, header.seed), 'utf8');
    return { file, doc: IdeDocument.fromText(text, { uri: CASE_URI }), offset: cursorOf(text, header.at), expected, header };
  }
  const cursor = input.indexOf('|');
  if (cursor < 0) throw new Error(`${file}: no '|' cursor in the dump`);
  const text = input.slice(0, cursor) + input.slice(cursor + 1);
  return { file, doc: IdeDocument.fromText(text, { uri: CASE_URI }), offset: cursor, expected, header: {} };
}

export function caseFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.txt')).sort().map((f) => join(dir, f));
}

/** Compare (or with UPDATE_EXPECTED=1 rewrite) the expected part of a case file. */
export function checkCase(c: IdeCase, actual: string): void {
  if (process.env.UPDATE_EXPECTED === '1') {
    const raw = readFileSync(c.file, 'utf8');
    const split = raw.indexOf(SEPARATOR);
    writeFileSync(c.file, raw.slice(0, split + SEPARATOR.length) + actual + '\n');
    return;
  }
  assert.equal(actual, c.expected, `${c.file}: output differs (UPDATE_EXPECTED=1 regenerates)`);
}

/** `12:3-12:9 text` for a span (1-based line:col). */
export function describeSpan(doc: IdeDocument, span: { start: number; end: number }): string {
  const pos = (offset: number) => {
    const line = doc.index.lineOf(offset);
    return `${line + 1}:${offset - doc.ruleset.lineStarts[line] + 1}`;
  };
  return `${pos(span.start)}-${pos(span.end)} ${doc.text.slice(span.start, span.end)}`;
}
