import * as vscode from 'vscode';
import type { Diagnostic, Range } from '../engine/task/diagnostic';

export function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

export function toVsDiagnostic(d: Diagnostic): vscode.Diagnostic {
  const v = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity]);
  v.source = 'sky';
  if (d.code) v.code = d.code;
  return v;
}
