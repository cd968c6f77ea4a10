import { renderTemplates, type TemplateProblem, type TemplateVars } from '../template/index.js';
import type { PathSegment } from '../yaml/index.js';
import type { ProblemList } from './problem-list.js';
import { HOSTNAME_PATTERN, NAME_PATTERN, type Scenario, type VmSettings } from './schema.js';
import { vmTemplateVars } from './template-vars.js';

/** One VM a scenario entry makes: the entry's index, its number, its rendered name. */
export interface ExpandedVm {
  index: number;
  n: number;
  name: string;
  vars: TemplateVars;
}

export interface ExpandContext {
  scenario: Scenario;
  problems: ProblemList;
  /** Template names filled in later (served URLs), left in place now. */
  deferred: readonly string[];
  /** `{{lab}}`: the lab's name (a matrix combination's own). */
  lab: string;
}

function report(problems: ProblemList, base: PathSegment[], found: TemplateProblem[]): void {
  for (const problem of found) problems.at([...base, ...problem.path], problem.message);
}

function expandOne(ctx: ExpandContext, index: number, n: number): ExpandedVm | undefined {
  const entry = ctx.scenario.vms[index]!;
  const found: TemplateProblem[] = [];
  const name = renderTemplates(entry.name, vmTemplateVars({ lab: ctx.lab, n }, ctx.deferred), found);
  const namePath = ['vms', index, 'name'];
  if (found.length) return void report(ctx.problems, namePath, found);
  if (!NAME_PATTERN.test(name)) {
    return void ctx.problems.at(namePath, `"${entry.name}" makes "${name}", not a valid VM name (letters, digits and -, starting with a letter or digit, at most 63)`);
  }
  return { index, n, name, vars: vmTemplateVars({ lab: ctx.lab, n, name }, ctx.deferred) };
}

/** The VMs an entry makes: `count` of them (numbered from 1), or the one. */
export function expandEntry(ctx: ExpandContext, index: number): ExpandedVm[] {
  const entry = ctx.scenario.vms[index]!;
  const count = entry.count ?? 1;
  if (count > 1 && !entry.name.includes('{{')) {
    ctx.problems.at(['vms', index, 'name'], `count: ${count} needs a name template, such as ${entry.name}-{{n}} or ${entry.name}-{{n:02}}`);
    return [];
  }
  const vms: ExpandedVm[] = [];
  for (let n = 1; n <= count; n++) {
    const vm = expandOne(ctx, index, n);
    if (!vm) return [];
    vms.push(vm);
  }
  return vms;
}

/**
 * Fills the templates in a VM's layered settings; a problem is reported where its key was set
 * (`where` gives that path: the VM's own entry, else the defaults).
 */
export function renderSettings(settings: VmSettings, vm: ExpandedVm, problems: ProblemList, where: (key: keyof VmSettings) => PathSegment[]): VmSettings | undefined {
  const found: TemplateProblem[] = [];
  const rendered = renderTemplates(settings, vm.vars, found);
  for (const problem of found) {
    const [key, ...rest] = problem.path;
    problems.at([...where(key as keyof VmSettings), ...rest], problem.message);
  }
  if (rendered.hostname !== undefined && !HOSTNAME_PATTERN.test(rendered.hostname)) {
    problems.at(where('hostname'), `"${settings.hostname}" makes "${rendered.hostname}" for ${vm.name}, not a valid host name`);
    return undefined;
  }
  return found.length ? undefined : rendered;
}
