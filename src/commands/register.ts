import * as vscode from 'vscode';
import { isCancelledError } from '../engine/util/cancellation';
import { errorMessage } from '../engine/util/errors';
import type { LogSink } from '../engine/util/log';

/** The one place command ids are bound to handlers; every handler runs inside the same error wrapper. */
export interface CommandDeps {
  log: LogSink;
  output: vscode.LogOutputChannel;
}

let deps: CommandDeps | undefined;

export function initCommands(d: CommandDeps): void {
  deps = d;
}

/** Runs fn; cancellation is silent, errors are logged once and shown once (multi-line ones point to the log). */
export async function runWithErrorHandling<T>(id: string, fn: () => Promise<T> | T): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (isCancelledError(err)) {
      deps?.log.info(`${id}: cancelled`);
      return undefined;
    }
    const message = errorMessage(err);
    deps?.log.error(`${id}: ${message}`);
    if (message.includes('\n')) {
      const first = message.split('\n')[0];
      void vscode.window
        .showErrorMessage(`${first} (details in the Sky output)`, 'Show Output')
        .then((choice) => {
          if (choice) deps?.output.show(true);
        });
    } else {
      void vscode.window.showErrorMessage(message);
    }
    return undefined;
  }
}

/** A command that ran to its end without error or cancel, with what its handler returned. */
export interface CommandCompletion {
  id: string;
  result: unknown;
}
const completions = new vscode.EventEmitter<CommandCompletion>();
/** Fires after a command's handler returned normally (not on error or cancel): the walkthrough listens. */
export const onDidCompleteCommand = completions.event;

export function registerCommand(
  context: vscode.ExtensionContext,
  id: string,
  handler: (...args: never[]) => unknown,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(id, (...args: unknown[]) =>
      runWithErrorHandling(id, async () => {
        const result = await (handler as (...a: unknown[]) => unknown)(...args);
        completions.fire({ id, result });
        return result;
      }),
    ),
  );
}

/** Commands that change remote machines are refused in an untrusted workspace. */
export function requireTrust(what: string): void {
  if (!vscode.workspace.isTrusted) {
    throw new Error(
      `${what} is disabled in an untrusted workspace. Trust the workspace to run tasks on clusters.`,
    );
  }
}
