// LensTextDocument (the server's open documents) answers exactly as vscode-languageserver-textdocument's
// TextDocument does, through random incremental and whole-text edits — also when its line offsets
// were taken from the parser (adoptLineStarts), which must refuse when the numberings differ and
// must never change the parser's array.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { LensTextDocument } from '../../server/src/text-document';
import { parseRuleset } from '../../server/src/netfilter/parser';
import type { TextDocuments } from 'vscode-languageserver';
import { DocumentStore } from '../../server/src/documents';

/** Small deterministic PRNG (mulberry32): a failure is reproduced by its seed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['-A INPUT -j ACCEPT', ':KUBE-SVC-X - [0:0]', '*nat', 'COMMIT', '', ' ', 'é', '😀', '\n', '\n', '\r\n', '\r'];

function randomText(next: () => number, pieces: number): string {
  let text = '';
  for (let k = 0; k < pieces; k++) text += PIECES[Math.floor(next() * PIECES.length)];
  return text;
}

/** A position anywhere, sometimes past the line's end or the text's, sometimes negative. */
function randomPosition(next: () => number, lines: number): Position {
  return { line: Math.floor(next() * (lines + 2)) - 1, character: Math.floor(next() * 30) - 2 };
}

function randomRange(next: () => number, lines: number): Range {
  return { start: randomPosition(next, lines), end: randomPosition(next, lines) };
}

function assertSame(ours: LensTextDocument, theirs: TextDocument, next: () => number, where: string): void {
  assert.equal(ours.getText(), theirs.getText(), `${where}: text`);
  assert.equal(ours.lineCount, theirs.lineCount, `${where}: lineCount`);
  assert.equal(ours.version, theirs.version, `${where}: version`);
  const length = theirs.getText().length;
  for (let k = 0; k < 20; k++) {
    const offset = Math.floor(next() * (length + 4)) - 2;
    assert.deepEqual(ours.positionAt(offset), theirs.positionAt(offset), `${where}: positionAt(${offset})`);
    const position = randomPosition(next, theirs.lineCount);
    assert.equal(ours.offsetAt(position), theirs.offsetAt(position), `${where}: offsetAt(${JSON.stringify(position)})`);
    const range = randomRange(next, theirs.lineCount);
    assert.equal(ours.getText(range), theirs.getText(range), `${where}: getText(${JSON.stringify(range)})`);
  }
}

function randomChange(next: () => number, lines: number): TextDocumentContentChangeEvent {
  if (next() < 0.05) return { text: randomText(next, Math.floor(next() * 8)) };
  return { range: randomRange(next, lines), text: randomText(next, Math.floor(next() * 4)) };
}

test('LensTextDocument answers as TextDocument through 300 random edit sessions (half with adopted line starts)', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const next = random(seed);
    const initial = randomText(next, Math.floor(next() * 12));
    const ours = LensTextDocument.create('file:///a.rules', 'iptables-save', 1, initial);
    const theirs = TextDocument.create('file:///a.rules', 'iptables-save', 1, initial);
    let parserStarts: number[] | undefined;
    let parserStartsBefore: number[] | undefined;
    if (seed % 2 === 0) {
      parserStarts = parseRuleset(initial).lineStarts as number[];
      parserStartsBefore = [...parserStarts];
      const lone = /\r(?!\n)/.test(initial);
      assert.equal(ours.adoptLineStarts(initial, parserStarts), !lone, `seed ${seed}: adopted iff no lone \\r`);
    }
    assertSame(ours, theirs, next, `seed ${seed}, version 1`);
    for (let version = 2; version < 10; version++) {
      const changes = [randomChange(next, theirs.lineCount), ...(next() < 0.3 ? [randomChange(next, theirs.lineCount)] : [])];
      LensTextDocument.update(ours, changes, version);
      TextDocument.update(theirs, changes, version);
      assertSame(ours, theirs, next, `seed ${seed}, version ${version} after ${JSON.stringify(changes)}`);
    }
    if (parserStarts) assert.deepEqual(parserStarts, parserStartsBefore, `seed ${seed}: the parser's line starts were changed`);
  }
});

test('adoptLineStarts refuses another text, a second adoption, and a text with a lone \\r', () => {
  const text = '*filter\r\n:INPUT ACCEPT [0:0]\r\nCOMMIT\r\n';
  const doc = LensTextDocument.create('file:///b.rules', 'iptables-save', 1, text);
  assert.equal(doc.adoptLineStarts(text + ' ', parseRuleset(text + ' ').lineStarts), false);
  assert.equal(doc.adoptLineStarts(text, parseRuleset(text).lineStarts), true);
  assert.equal(doc.adoptLineStarts(text, parseRuleset(text).lineStarts), false);
  const lone = '*filter\r:INPUT ACCEPT [0:0]\nCOMMIT\n';
  assert.equal(LensTextDocument.create('file:///c.rules', 'iptables-save', 1, lone).adoptLineStarts(lone, parseRuleset(lone).lineStarts), false);
});

test('the document store shares the parse\'s line starts with the editor\'s copy of the text', async () => {
  const uri = 'file:///d.rules';
  const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n';
  const doc = LensTextDocument.create(uri, 'iptables-save', 1, text);
  const documents = { get: (wanted: string) => (wanted === uri ? doc : undefined), all: () => [doc] } as unknown as TextDocuments<TextDocument>;
  const parsed = await new DocumentStore(documents).parsed(uri);
  assert.ok(parsed);
  assert.equal((doc as unknown as { lineOffsets: unknown }).lineOffsets, parsed.ruleset.lineStarts, 'the same array, not a copy');
  // The first edit copies it: the model's numbers stay those of its own text.
  LensTextDocument.update(doc, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '\n' }], 2);
  assert.deepEqual(parsed.ruleset.lineStarts, [0, 8, 28, 45, 52]);
  assert.equal(doc.lineCount, 6);
});
