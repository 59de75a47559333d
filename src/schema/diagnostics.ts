import * as vscode from 'vscode';
import type { LogSink } from '../engine/util/log';
import { validateTaskText } from '../engine/task/validate';
import type { Diagnostic } from '../engine/task/diagnostic';
import { toVsDiagnostic } from './convert';
import { isTaskDocument, isTaskFileName } from './taskFiles';

/**
 * Diagnostics the schema can express: Red Hat YAML reports these itself for files our
 * `yamlValidation` globs match, so we leave them out there (no error shown twice). Everything
 * SkyPilot checks in code (bucket names, URIs, mode rules, local paths, envs…) stays ours.
 */
export const SCHEMA_CODES = new Set([
  'unknown-key',
  'type',
  'enum',
  'pattern',
  'required',
  'range',
  'min-items',
  'max-properties',
  'unique',
  'yaml',
  'duplicate-key',
  'yaml-warning',
  'env-name',
]);

export const REDHAT_YAML_ID = 'redhat.vscode-yaml';

/**
 * True when Red Hat YAML already serves this file from our schema (installed, and the file matches
 * the yamlValidation globs): then schema-level diagnostics, key/enum completion and field hovers
 * are left to it, and we add only what the schema cannot express.
 */
export function redHatServes(doc: vscode.TextDocument): boolean {
  const mode = vscode.workspace
    .getConfiguration('sky.validation')
    .get<SchemaDiagnosticsMode>('schemaDiagnostics', 'auto');
  return !keepSchemaDiagnostics(
    doc.fileName,
    mode,
    vscode.extensions.getExtension(REDHAT_YAML_ID) !== undefined,
  );
}

export type SchemaDiagnosticsMode = 'auto' | 'always' | 'never';

/** Whether to keep schema-level findings for this file. */
export function keepSchemaDiagnostics(
  fileName: string,
  mode: SchemaDiagnosticsMode,
  redHatInstalled: boolean,
): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return !(redHatInstalled && isTaskFileName(fileName));
}

export const DEBOUNCE_MS = 200;

function isShownInTab(uri: vscode.Uri): boolean {
  const key = uri.toString();
  return vscode.window.tabGroups.all.some((g) =>
    g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === key),
  );
}

export class TaskDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('sky-task');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subs: vscode.Disposable[] = [];
  /** Documents the user asked about with "Sky: Validate Task" even though they don't look like tasks. */
  private readonly forced = new Set<string>();

  constructor(private readonly log: LogSink) {
    this.subs.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)),
      vscode.workspace.onDidSaveTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d)),
      // VS Code keeps a closed editor's document alive for a while, so closing the last tab that shows
      // a file is what clears its problems, as users expect.
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        // A document that stayed alive in the background is checked again when a tab shows it.
        for (const tab of e.opened) {
          const uri = tab.input instanceof vscode.TabInputText ? tab.input.uri.toString() : undefined;
          const doc = uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri) : undefined;
          if (doc) this.schedule(doc, 0);
        }
        for (const tab of e.closed) {
          const uri = tab.input instanceof vscode.TabInputText ? tab.input.uri : undefined;
          if (uri && !isShownInTab(uri)) this.clearUri(uri);
        }
      }),
      vscode.extensions.onDidChange(() => this.revalidateAll()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sky.validation')) this.revalidateAll();
      }),
    );
    this.revalidateAll();
  }

  revalidateAll(): void {
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  /** Debounced so that typing never waits for validation; each document has its own timer. */
  schedule(doc: vscode.TextDocument, delay: number): void {
    const key = doc.uri.toString();
    const old = this.timers.get(key);
    if (old) clearTimeout(old);
    if (!this.forced.has(key) && !isTaskDocument(doc)) {
      this.collection.delete(doc.uri);
      return;
    }
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!doc.isClosed) this.validateNow(doc);
      }, delay),
    );
  }

  /** Validates now and publishes; returns every finding (including those Red Hat YAML shows). */
  validateNow(doc: vscode.TextDocument, force = false): Diagnostic[] {
    const key = doc.uri.toString();
    if (force) this.forced.add(key);
    const started = Date.now();
    let all: Diagnostic[];
    try {
      all = validateTaskText(doc.getText(), {
        ...(doc.uri.scheme === 'file' ? { file: doc.uri.fsPath } : {}),
        localChecks:
          doc.uri.scheme === 'file' &&
          vscode.workspace.getConfiguration('sky.validation').get<boolean>('localChecks', true),
      });
    } catch (err) {
      this.log.error(`task validation failed for ${doc.uri.fsPath}: ${(err as Error).message}`);
      return [];
    }
    const mode = vscode.workspace
      .getConfiguration('sky.validation')
      .get<SchemaDiagnosticsMode>('schemaDiagnostics', 'auto');
    const keep = keepSchemaDiagnostics(
      doc.fileName,
      mode,
      vscode.extensions.getExtension(REDHAT_YAML_ID) !== undefined,
    );
    const shown = all.filter((d) => keep || !d.code || !SCHEMA_CODES.has(d.code));
    this.collection.set(doc.uri, shown.map(toVsDiagnostic));
    this.log.debug(`validated ${doc.uri.fsPath}: ${shown.length} diagnostics in ${Date.now() - started} ms`);
    return all;
  }

  clear(doc: vscode.TextDocument): void {
    this.clearUri(doc.uri);
  }

  clearUri(uri: vscode.Uri): void {
    const key = uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    this.forced.delete(key);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const s of this.subs) s.dispose();
    this.collection.dispose();
  }
}
