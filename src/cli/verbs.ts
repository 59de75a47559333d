import { Command } from 'commander';
import type { CliContext } from './main';
import { registerConfig } from './config';
import { registerValidate } from './validate';

/** Every CLI verb, one file each. Add one line per verb. */
export const verbs: Array<(program: Command, ctx: CliContext) => void> = [registerConfig, registerValidate];
