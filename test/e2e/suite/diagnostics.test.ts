// Parse problems reach the editor as diagnostics, published by the language server.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activeExtension, describeDiagnostic, diagnosticCode, openWorkspaceFile, waitForDiagnostics } from './helpers';

suite('diagnostics', () => {
  suiteSetup(async () => {
    await activeExtension();
  });

  test('a table without COMMIT gets a parse/missing-commit error', async () => {
    const document = await openWorkspaceFile('broken-missing-commit.rules');
    const isMissingCommit = (d: vscode.Diagnostic) => diagnosticCode(d) === 'parse/missing-commit';
    const diagnostics = await waitForDiagnostics(document.uri, (all) => all.some(isMissingCommit));
    const missingCommit = diagnostics.find(isMissingCommit)!;
    assert.equal(missingCommit.severity, vscode.DiagnosticSeverity.Error, describeDiagnostic(missingCommit));
    // The problem belongs to the *filter block (line 3) or the end of the file, never to the header comments.
    assert.ok(missingCommit.range.start.line >= 2, describeDiagnostic(missingCommit));
  });

  test('fixing the dump (appending COMMIT) clears the error', async () => {
    const document = await openWorkspaceFile('broken-missing-commit.rules');
    // First see the error, so that its absence afterwards means something.
    await waitForDiagnostics(document.uri, (all) => all.some((d) => diagnosticCode(d) === 'parse/missing-commit'));
    const editor = await vscode.window.showTextDocument(document);
    const end = document.lineAt(document.lineCount - 1).range.end;
    const prefix = document.getText().endsWith('\n') ? '' : '\n';
    assert.ok(await editor.edit((edit) => edit.insert(end, `${prefix}COMMIT\n`)));
    await waitForDiagnostics(document.uri, (all) => !all.some((d) => diagnosticCode(d) === 'parse/missing-commit'));
    const errors = vscode.languages.getDiagnostics(document.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(errors.map(describeDiagnostic), []);
  });
});
