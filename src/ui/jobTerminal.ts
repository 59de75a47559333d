import * as vscode from 'vscode';

/** A Pseudoterminal per job: ANSI kept, one prefix per node for multi-node jobs, exit code at the end. */
export class JobTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.writeEmitter.event;
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidClose = this.closeEmitter.event;
  private buffer: string[] = [];
  private opened = false;
  /** Everything written, for tests and for re-showing. */
  readonly transcript: string[] = [];
  terminal?: vscode.Terminal;
  onCancel?: () => void;

  open(): void {
    this.opened = true;
    for (const b of this.buffer) this.writeEmitter.fire(b);
    this.buffer = [];
  }
  close(): void {
    this.opened = false;
  }
  handleInput(data: string): void {
    if (data === '\x03') this.onCancel?.();
  }

  private write(text: string): void {
    const t = text.replace(/\r?\n/g, '\r\n');
    this.transcript.push(text);
    if (this.opened) this.writeEmitter.fire(t);
    else this.buffer.push(t);
  }
  line(text: string): void {
    this.write(`${text}\n`);
  }
  nodeLine(node: string, text: string, multi: boolean, color: number): void {
    this.write(multi ? `\x1b[${31 + (color % 6)}m(${node})\x1b[0m ${text}\n` : `${text}\n`);
  }
  info(text: string): void {
    this.write(`\x1b[2m${text}\x1b[0m\n`);
  }
  finish(exitCode: number, status: string): void {
    this.write(`\n\x1b[1m${status} (exit code ${exitCode})\x1b[0m\n`);
  }
  dispose(): void {
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }

  static create(name: string): JobTerminal {
    const pty = new JobTerminal();
    pty.terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('rocket') });
    return pty;
  }
}
