import type { Rule } from '../context';
import { envsRule } from './envs';
import { enumCaseRule } from './enumCase';
import { fileMountsRule } from './fileMounts';
import { taskNameRule } from './names';
import { resourcesRule } from './resources';
import { dockerLoginRule, serviceRule } from './service';
import { storeVolumeRule, volumesRule } from './volumes';
import { workdirRule } from './workdir';

/** Every SkyPilot rule family that needs no cloud call, run on each task document. */
export const TASK_RULES: readonly Rule[] = [
  taskNameRule,
  envsRule,
  resourcesRule,
  workdirRule,
  fileMountsRule,
  enumCaseRule,
  volumesRule,
  storeVolumeRule,
  serviceRule,
  dockerLoginRule,
];
