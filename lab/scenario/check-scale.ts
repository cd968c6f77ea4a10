import type { Problem } from '../errors/index.js';
import type { YamlSource } from '../yaml/index.js';
import { ProblemList } from './problem-list.js';
import type { Scenario } from './schema.js';

/** More VMs than this in one lab (counting `count:`) is a typo, not a lab this host can run. */
export const MAX_VMS = 1000;
/** More matrix combinations than this (each a lab of its own) likewise. */
export const MAX_COMBINATIONS = 100;

/** Problems with how much a scenario asks for: checked before anything is expanded. */
export function scaleProblems(source: YamlSource, scenario: Scenario): Problem[] {
  const problems = new ProblemList(source);
  const vms = scenario.vms.reduce((sum, vm) => sum + (vm.count ?? 1), 0);
  if (vms > MAX_VMS) problems.at([], `makes ${vms} VMs: a lab may have at most ${MAX_VMS}`, 'vms');
  if (scenario.matrix) {
    const lists = Object.values(scenario.matrix).filter((values) => values !== undefined);
    const labs = lists.reduce((product, values) => product * values.length, 1);
    if (lists.length === 0) problems.at([], 'lists no setting: give at least one (such as provider: [qemu, libvirt]), or remove matrix:', 'matrix');
    else if (labs > MAX_COMBINATIONS) problems.at([], `makes ${labs} combinations: at most ${MAX_COMBINATIONS} labs (select fewer values)`, 'matrix');
  }
  return problems.problems;
}
