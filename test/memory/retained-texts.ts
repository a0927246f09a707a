// Child of retained-texts.test.ts (run with --expose-gc): opens a generated kube dump in a
// DocumentStore, edits one rule line eleven times as a user would, then counts in a heap snapshot
// the strings as long as the text: only the current version's may be alive.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocuments } from 'vscode-languageserver';
import { DocumentStore } from '../../server/src/documents';
import { generateKubeDump } from '../bench/generate-kube-dump';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
}

/** Strings of at least `length` characters alive now (a full GC runs first: a snapshot is taken of live objects). */
async function stringsAtLeast(length: number): Promise<number> {
  // A task of its own: WeakRef.deref() keeps its target alive until the current job ends.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const file = writeHeapSnapshot(join(tmpdir(), `iptables-lens-retained-${process.pid}.heapsnapshot`));
  try {
    const { snapshot, nodes } = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
    const fields = snapshot.meta.node_fields;
    const [typeAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('self_size')];
    const stringType = snapshot.meta.node_types[0].indexOf('string');
    let count = 0;
    // A one-byte string's self size is its length plus a small header.
    for (let i = 0; i < nodes.length; i += fields.length) if (nodes[i + typeAt] === stringType && nodes[i + sizeAt] >= length) count++;
    return count;
  } finally {
    rmSync(file, { force: true });
  }
}

async function main(): Promise<void> {
  const uri = 'file:///node.rules';
  // Only the document holds the text: an older version's text must be free once edited.
  let document = TextDocument.create(uri, 'iptables-save', 1, generateKubeDump({ services: 1000, endpointsPerService: 3, seed: 7 }));
  const textLength = document.getText().length;
  const documents = { get: (u: string) => (u === uri ? document : undefined), all: () => [document] } as unknown as TextDocuments<TextDocument>;
  const store = new DocumentStore(documents);
  const settle = async () => {
    await store.problemsAsync(uri);
    const doc = await store.ready(uri);
    void doc!.addresses;
    void doc!.marks;
  };
  await settle();
  // A port of a KUBE-SERVICES rule, changed back and forth: every version is a re-read of the last.
  const lines = document.getText().split('\n');
  const line = lines.findIndex((l) => l.startsWith('-A KUBE-SERVICES ') && l.includes(' --dport 80 '));
  const character = lines[line].indexOf(' --dport 80 ') + ' --dport '.length;
  lines.length = 0;
  for (let version = 2; version <= 12; version++) {
    const [from, to] = version % 2 === 0 ? ['80', '81'] : ['81', '80'];
    document = TextDocument.update(document, [{ range: { start: { line, character }, end: { line, character: character + from.length } }, text: to }], version);
    await settle();
  }
  console.log(JSON.stringify({ texts: await stringsAtLeast(textLength), reread: store.get(uri) !== undefined }));
}

void main();
