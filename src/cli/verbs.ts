import { Command } from 'commander';
import type { CliContext } from './context';
import { registerConfig } from './config';
import { registerValidate } from './validate';
import { registerLaunch } from './launch';
import { registerStatus } from './status';
import { registerQueue } from './queue';
import { registerLogs } from './logs';
import { registerCancel } from './cancel';
import { registerDownload } from './download';
import { registerStorage } from './storage';
import { registerDown } from './down';

/** Every CLI verb, one file each. Add one line per verb. */
export const verbs: Array<(program: Command, ctx: CliContext) => void> = [
  registerConfig,
  registerValidate,
  registerLaunch,
  registerStatus,
  registerQueue,
  registerLogs,
  registerCancel,
  registerDownload,
  registerStorage,
  registerDown,
];
