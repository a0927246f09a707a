// SARIF 2.1.0 output for code-scanning tools: one run, rule metadata for every code we can emit.

import type { FileDiagnostics } from './main';
import { ANALYSIS_CODES } from '../netfilter/analysis';

const LEVEL: Record<string, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

export function toSarif(files: FileDiagnostics[]) {
  const ruleIds = new Set<string>();
  for (const file of files) for (const d of file.diagnostics) ruleIds.add(d.code);
  const known = new Map<string, { severity: string; description: string }>();
  for (const entry of ANALYSIS_CODES as ReadonlyArray<{ code: string; severity: string; description: string }>) known.set(entry.code, entry);
  const rules = [...new Set([...known.keys(), ...ruleIds])].sort().map((id) => ({
    id,
    name: id.replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase()),
    shortDescription: { text: known.get(id)?.description ?? (id.startsWith('parse/') || id.startsWith('value/') ? 'iptables-restore would reject or misread this line' : id) },
    defaultConfiguration: { level: LEVEL[known.get(id)?.severity ?? 'error'] ?? 'warning' },
  }));
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'iptables-lens', informationUri: 'https://github.com/iptables-lens/iptables-lens', rules } },
        results: files.flatMap((file) =>
          file.diagnostics.map((d) => ({
            ruleId: d.code,
            ruleIndex: ruleIndex.get(d.code),
            level: LEVEL[d.severity],
            message: { text: d.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: file.file },
                  region: { startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: d.endColumn },
                },
              },
            ],
            relatedLocations: (d.related ?? []).map((r, id) => ({
              id,
              message: { text: r.message },
              physicalLocation: { artifactLocation: { uri: file.file }, region: { startLine: r.line, startColumn: r.column } },
            })),
          })),
        ),
      },
    ],
  };
}
