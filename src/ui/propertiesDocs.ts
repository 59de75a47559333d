// Read-only Markdown documents of the Storage view's Properties (an object's, or a prefix's totals).
import * as vscode from 'vscode';

export const PROPERTIES_SCHEME = 'sky-storage-properties';

export class PropertiesDocs implements vscode.TextDocumentContentProvider {
  private readonly docs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private n = 0;
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.query) ?? '';
  }
  add(title: string, text: string): vscode.Uri {
    const id = String(++this.n);
    this.docs.set(id, text);
    return vscode.Uri.from({
      scheme: PROPERTIES_SCHEME,
      path: `/${title.replace(/[/\\:]+/g, '_')}.md`,
      query: id,
    });
  }
}
