// Everything the engine needs to ask a person goes through this one interface. The extension
// implements it with VS Code dialogs, the CLI with the terminal (or flags like -y), and tests
// with a script of answers.
export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
}

export type OverwriteAnswer = 'yes' | 'yesToAll' | 'no' | 'noToAll';

export interface PromptUi {
  /** A yes/no question; destructive ones are modal in the editor. */
  confirm(
    message: string,
    options?: { detail?: string; destructive?: boolean; confirmLabel?: string },
  ): Promise<boolean>;
  /** Type-the-name confirmation for irreversible deletes. */
  confirmByTyping(message: string, expected: string): Promise<boolean>;
  pick<T>(title: string, items: PickItem<T>[], options?: { canPickMany?: false }): Promise<T | undefined>;
  input(
    prompt: string,
    options?: { password?: boolean; value?: string; validate?: (v: string) => string | undefined },
  ): Promise<string | undefined>;
  overwrite(path: string): Promise<OverwriteAnswer>;
}

/** A prompt UI that never asks: confirms nothing and picks nothing (non-interactive CLI without -y). */
export const refusingUi: PromptUi = {
  confirm: async () => false,
  confirmByTyping: async () => false,
  pick: async () => undefined,
  input: async () => undefined,
  overwrite: async () => 'no',
};
