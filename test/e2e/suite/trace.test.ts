// Packet traces from the editor: the "▶ Trace" code lenses and the iptables-lens.tracePacket
// command with a typed packet line. Asserts on the TraceResponse the command returns and on the
// trace the panel shows (TracePanel.onDidShow). The node address comes from the workspace
// settings (workspace/.vscode/settings.json: iptables-lens.nodeAddresses = ["172.20.0.3"]).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { IptablesLensApi } from '../../../client/src/extension';
import type { ShownTrace } from '../../../client/src/trace/trace-panel';
import type { TraceResponse } from '../../../server/src/protocol';
import type { TracePath } from '../../../server/src/netfilter/trace/types';
import { activeExtension, openWorkspaceFile } from './helpers';

const TRACE_COMMAND = 'iptables-lens.tracePacket';
const NODE_ADDRESS = '172.20.0.3';

/** The endpoint a path was DNATed to and its probability, e.g. `10.244.1.2:80 50%`. */
function endpointsOf(paths: TracePath[]): string[] {
  return paths
    .map((path) => `${path.packet.dst}:${path.packet.dport} ${Math.round(path.probability * 100)}%`)
    .sort();
}

function describePaths(response: TraceResponse | undefined): string {
  return response?.text ?? JSON.stringify(response);
}

/** Resolves with the next trace the panel draws. */
function nextShownTrace(api: IptablesLensApi): Promise<ShownTrace> {
  return new Promise((resolve) => {
    const subscription = api.tracePanel.onDidShow((trace) => {
      subscription.dispose();
      resolve(trace);
    });
  });
}

suite('packet traces', () => {
  let api: IptablesLensApi;

  suiteSetup(async () => {
    const extension = await activeExtension();
    api = extension.exports as IptablesLensApi;
    assert.ok(api?.tracePanel, 'activate() returns { client, tracePanel }');
  });

  test('the NodePort rule has a code lens whose trace reaches both endpoints at 50%', async () => {
    const document = await openWorkspaceFile('seeds', 'kind-worker2-after-nodeport.rules');
    const nodePortLine = [...Array(document.lineCount).keys()].find((line) =>
      /^-A KUBE-NODEPORTS .*--dport 30080 /.test(document.lineAt(line).text));
    assert.ok(nodePortLine !== undefined, 'the seed has the NodePort 30080 rule');

    // Resolve every lens (the second argument), as the editor does for the visible ones.
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 1000);
    assert.ok(lenses.length > 1, `expected lenses on hooks and rules, got ${lenses.length}`);
    const lens = lenses.find((l) => l.range.start.line === nodePortLine);
    assert.ok(lens?.command, `no resolved lens on line ${nodePortLine + 1}: ${JSON.stringify(lenses.map((l) => [l.range.start.line + 1, l.command?.title]))}`);
    assert.equal(lens.command.command, TRACE_COMMAND);
    assert.match(lens.command.title, /^▶ Trace a matching packet/);
    // The lens sends to the node address of the settings, on the rule's port.
    const packetLine = lens.command.arguments?.[1];
    assert.equal(typeof packetLine, 'string');
    assert.match(packetLine as string, new RegExp(`-> ${NODE_ADDRESS.replace(/\./g, '\\.')}:30080/tcp`));

    const shown = nextShownTrace(api);
    const response = await vscode.commands.executeCommand<TraceResponse>(lens.command.command, ...(lens.command.arguments ?? []));
    assert.ok(response?.result, describePaths(response));
    const { paths } = response.result;
    assert.deepEqual(endpointsOf(paths), ['10.244.1.2:80 50%', '10.244.2.2:80 50%'], describePaths(response));
    for (const path of paths) {
      assert.equal(path.verdict, 'ACCEPT', describePaths(response));
      const dnat = path.steps.find((step) => step.note?.startsWith('DNAT'));
      assert.ok(dnat, `path to ${path.packet.dst} has no DNAT step: ${describePaths(response)}`);
      assert.match(dnat.chain, /^KUBE-SEP-/);
      assert.ok(path.steps.some((step) => step.chain === 'KUBE-NODEPORTS'), 'the path goes through KUBE-NODEPORTS');
    }

    // The panel draws the same trace, opened on the path through the lens's rule.
    const trace = await shown;
    assert.equal(trace.documentUri.toString(), document.uri.toString());
    assert.equal(trace.model.paths.length, 2);
    assert.deepEqual(trace.model.paths.map((p) => p.probabilityText), ['50%', '50%']);
    assert.ok(trace.model.paths[trace.model.selected].lines.includes(nodePortLine + 1), 'the selected path runs through the lens rule');
  });

  test('run from the editor with the cursor on an endpoint rule, the command offers that rule\'s packet', async () => {
    const document = await openWorkspaceFile('seeds', 'kind-worker2-after-nodeport.rules');
    const editor = await vscode.window.showTextDocument(document);
    const sepLine = [...Array(document.lineCount).keys()].find((line) =>
      /^-A KUBE-SEP-\S+ .*-j DNAT --to-destination 10\.244\.2\.2:80/.test(document.lineAt(line).text));
    assert.ok(sepLine !== undefined, 'the seed has the endpoint 10.244.2.2:80');
    editor.selection = new vscode.Selection(sepLine, 3, sepLine, 3);

    // As from the palette: no arguments. The input box opens pre-filled; accept it as offered.
    const shown = nextShownTrace(api);
    let response: TraceResponse | undefined;
    let finished = false;
    const running = vscode.commands.executeCommand<TraceResponse>(TRACE_COMMAND).then((r) => {
      response = r;
      finished = true;
    });
    for (let k = 0; k < 100 && !finished; k++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    await running;
    assert.ok(response?.result, describePaths(response));
    // The packet the rule's lens would trace reaches that endpoint on some path.
    assert.ok(endpointsOf(response.result.paths).some((e) => e.startsWith('10.244.2.2:80 ')), describePaths(response));
    const trace = await shown;
    assert.ok(trace.model.paths[trace.model.selected].lines.includes(sepLine + 1), 'the panel opens on a path through the rule under the cursor');
  });

  test('a typed packet line to the NodePort gives the same two endpoints', async () => {
    const document = await openWorkspaceFile('seeds', 'kind-worker2-after-nodeport.rules');
    const response = await vscode.commands.executeCommand<TraceResponse>(
      TRACE_COMMAND, document.uri, `192.168.50.9 -> ${NODE_ADDRESS}:30080/tcp in eth0`,
    );
    assert.ok(response?.result, describePaths(response));
    assert.deepEqual(endpointsOf(response.result.paths), ['10.244.1.2:80 50%', '10.244.2.2:80 50%'], describePaths(response));
    assert.ok(response.result.notes.some((note) => note.includes(NODE_ADDRESS)), `the node address of the settings is used: ${response.result.notes.join('; ')}`);
  });

  test('a typed packet from outside the office LAN is dropped by SSH-IN (rules.v4 line 14)', async () => {
    const document = await openWorkspaceFile('rules.v4');
    const response = await vscode.commands.executeCommand<TraceResponse>(TRACE_COMMAND, document.uri, `203.0.113.7 -> ${NODE_ADDRESS}:22/tcp in eth0`);
    assert.ok(response?.result, describePaths(response));
    assert.equal(response.result.paths.length, 1, describePaths(response));
    const [path] = response.result.paths;
    assert.equal(path.verdict, 'DROP', describePaths(response));
    const last = path.steps[path.steps.length - 1];
    assert.deepEqual({ chain: last.chain, line: last.line, verdict: last.verdict }, { chain: 'SSH-IN', line: 14, verdict: 'DROP' });
  });

  test('a typed packet from the office LAN is accepted by SSH-IN (rules.v4 line 12)', async () => {
    const document = await openWorkspaceFile('rules.v4');
    const response = await vscode.commands.executeCommand<TraceResponse>(TRACE_COMMAND, document.uri, `192.168.1.10 -> ${NODE_ADDRESS}:22/tcp in eth0`);
    assert.ok(response?.result, describePaths(response));
    const [path] = response.result.paths;
    assert.equal(path.verdict, 'ACCEPT', describePaths(response));
    assert.match(path.outcome, /delivered/);
    const last = path.steps[path.steps.length - 1];
    assert.deepEqual({ chain: last.chain, line: last.line, verdict: last.verdict }, { chain: 'SSH-IN', line: 12, verdict: 'ACCEPT' });
  });

  test('an unreadable packet line is answered with an error, not a trace', async () => {
    const document = await openWorkspaceFile('rules.v4');
    const response = await vscode.commands.executeCommand<TraceResponse>(TRACE_COMMAND, document.uri, '10.0.0.1 => nowhere');
    assert.ok(response?.error, `expected an error: ${JSON.stringify(response)}`);
    assert.equal(response.result, undefined);
  });
});
