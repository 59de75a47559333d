import * as vscode from 'vscode';
import { formatBytes, throttleProgress, type ProgressSink } from '../../engine/util/progress';

/** A cancellable notification whose progress shows files and bytes done. */
export function withNotification<T>(
  title: string,
  fn: (sink: ProgressSink, token: vscode.CancellationToken) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, token) => {
      // ~4 updates a second: more often and VS Code stops showing the increments.
      const sink = throttleProgress(
        {
          report: (e) =>
            progress.report({
              message: [
                e.files && `${e.files.done}${e.files.total !== undefined ? `/${e.files.total}` : ''} files`,
                e.bytes && formatBytes(e.bytes.done),
              ]
                .filter(Boolean)
                .join(', '),
            }),
        },
        250,
      );
      return fn(sink, token);
    },
  );
}
