import type { OverwriteAnswer, PickItem, PromptUi } from '../engine/util/prompt';

/** One scripted answer: a boolean for confirms, a string/RegExp for picks (label) and inputs, an overwrite answer. */
export type ScriptedAnswer = boolean | string | RegExp | OverwriteAnswer | undefined;

/**
 * A PromptUi that answers from a queue, for tests: an unexpected prompt throws (so a test never hangs on
 * a dialog), and `assertDone()` fails if an answer was not used.
 */
export class ScriptedUi implements PromptUi {
  readonly asked: string[] = [];
  constructor(private readonly answers: ScriptedAnswer[]) {}

  private next(kind: string, message: string): ScriptedAnswer {
    this.asked.push(`${kind}: ${message}`);
    if (this.answers.length === 0) throw new Error(`Unexpected prompt (${kind}): ${message}`);
    return this.answers.shift();
  }
  async confirm(message: string): Promise<boolean> {
    return this.next('confirm', message) === true;
  }
  async confirmByTyping(message: string, expected: string): Promise<boolean> {
    const a = this.next('confirmByTyping', message);
    return a === expected;
  }
  async pick<T>(title: string, items: PickItem<T>[]): Promise<T | undefined> {
    const a = this.next('pick', title);
    if (a === undefined) return undefined;
    const match = items.find((i) => (a instanceof RegExp ? a.test(i.label) : i.label === a));
    if (!match)
      throw new Error(
        `Scripted pick '${String(a)}' matches none of: ${items.map((i) => i.label).join(', ')}`,
      );
    return match.value;
  }
  async input(prompt: string): Promise<string | undefined> {
    const a = this.next('input', prompt);
    return typeof a === 'string' ? a : undefined;
  }
  async overwrite(path: string): Promise<OverwriteAnswer> {
    const a = this.next('overwrite', path);
    if (a === 'yes' || a === 'yesToAll' || a === 'no' || a === 'noToAll') return a;
    throw new Error(`Scripted overwrite answer must be yes/yesToAll/no/noToAll, got ${String(a)}`);
  }
  assertDone(): void {
    if (this.answers.length)
      throw new Error(`${this.answers.length} scripted answer(s) not used; asked: ${this.asked.join(' | ')}`);
  }
}
