// The extension's settings (package.json contributes.configuration, section `iptables-lens`).
import * as vscode from 'vscode';

export const SETTINGS_SECTION = 'iptables-lens';

export interface LensSettings {
  /** addresses owned by the node the dump came from (routing: local → INPUT; NodePort lenses) */
  nodeAddresses: string[];
  defaultInInterface?: string;
  defaultOutInterface?: string;
  /** an `ipset save` file giving the members of the sets the dump refers to */
  ipsetFile?: string;
  showCodeLenses: boolean;
}

export function readSettings(scope?: vscode.Uri): LensSettings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  const text = (key: string): string | undefined => {
    const value = config.get<string>(key);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const addresses = config.get<unknown>('nodeAddresses');
  return {
    nodeAddresses: Array.isArray(addresses) ? addresses.filter((a): a is string => typeof a === 'string' && a.trim() !== '').map((a) => a.trim()) : [],
    defaultInInterface: text('defaultInInterface'),
    defaultOutInterface: text('defaultOutInterface'),
    ipsetFile: resolveIpsetFile(text('ipsetFile'), scope),
    showCodeLenses: config.get<boolean>('showCodeLenses', true),
  };
}

/** A relative ipset file is relative to the workspace folder of the dump. */
function resolveIpsetFile(file: string | undefined, scope?: vscode.Uri): string | undefined {
  if (!file) return undefined;
  if (file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file)) return file;
  const folder = (scope && vscode.workspace.getWorkspaceFolder(scope)) ?? vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, file).fsPath : file;
}
