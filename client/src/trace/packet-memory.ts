// The last packet traced per dump, so the input box opens on it next time (workspaceState, keyed
// by the document's URI).
import type * as vscode from 'vscode';

const KEY_PREFIX = 'iptables-lens.lastPacket:';

export class PacketMemory {
  constructor(private readonly state: vscode.Memento) {}

  get(uri: string): string | undefined {
    const value = this.state.get<unknown>(KEY_PREFIX + uri);
    return typeof value === 'string' ? value : undefined;
  }

  async remember(uri: string, packetLine: string): Promise<void> {
    await this.state.update(KEY_PREFIX + uri, packetLine);
  }
}
