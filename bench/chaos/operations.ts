import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/** The lab operations chaos kills: atomlab commands on the tiny guest. */
export const OPS = ['up', 'classroom', 'run', 'down', 'pull', 'matrix'] as const;
export type OpName = (typeof OPS)[number];

/** Where one run happens: a fresh directory, a lab name found nowhere else on the machine. */
export interface RunPlace {
  dir: string;
  file: string;
  lab: string;
  /** The image cache the `pull` op uses (ATOMLAB_HOME), private to the run. */
  home: string;
  /** The slow local mirror the `pull` op downloads from. */
  mirror: { url: string; sha256: string };
}

export interface OpSpec {
  name: OpName;
  /** `lab`: judged by status/down/the lab's traces; `cache`: by images ls/prune/verify. */
  kind: 'lab' | 'cache';
  /** Brought about first, uninterrupted (the op under test then acts on a lab that is up). */
  setupUp: boolean;
  /** Needs a libvirtd. */
  libvirt: boolean;
  scenario(place: RunPlace): Promise<string> | string;
  /** The command that is killed. */
  command(place: RunPlace): string[];
  /** The `up` of a recovery (and of the setup): same flags as the op's own up. */
  upFlags: string[];
}

const shipped = new URL('../../../scenarios/atomic-upgrade-rollback.yaml', import.meta.url);

const oneVm = (lab: string) =>
  stringify({ name: lab, defaults: { image: 'tiny', memory: '256MiB' }, vms: [{ name: 'host1', login: { password: 'atomic' } }] });

const classroom = (lab: string) =>
  stringify({ name: lab, defaults: { image: 'tiny', memory: '256MiB', login: { user: 'student', password: 'generate' } }, vms: [{ name: 'student-{{n:02}}', count: 3 }] });

const matrix = (lab: string) =>
  stringify({ name: lab, defaults: { image: 'tiny', memory: '256MiB' }, matrix: { provider: ['qemu', 'libvirt'] }, vms: [{ name: 'host1' }] });

/** The shipped scenario's steps the `run` op keeps: upgrade, verify, rollback, verify. */
const KEPT_STEPS = [
  'version 1 is booted',
  'upgrade to version 2 (rpm-ostree upgrade, reboot)',
  'version 2 is booted, version 1 kept for rollback',
  'roll back to version 1',
  'version 1 is booted again',
];

/**
 * The shipped upgrade/rollback scenario (its own published update repository and file server),
 * shortened so a kill can land anywhere in it within minutes: the same step kinds (run with
 * expect, upgrade with its reboot, rollback with its reboot), without the slow mirror's delay
 * and the repeated rollbacks.
 */
async function upgradeRollback(lab: string): Promise<string> {
  const scenario = parse(await readFile(shipped, 'utf8')) as { name: string; serve: { delay?: unknown }[]; steps: { name?: string }[] };
  scenario.name = lab;
  for (const served of scenario.serve) delete served.delay;
  scenario.steps = scenario.steps.filter((step) => KEPT_STEPS.includes(step.name ?? ''));
  if (scenario.steps.length !== KEPT_STEPS.length) throw new Error(`the shipped scenario no longer has the steps ${KEPT_STEPS.join('; ')}`);
  return stringify(scenario);
}

export const OP_SPECS: Record<OpName, OpSpec> = {
  up: { name: 'up', kind: 'lab', setupUp: false, libvirt: false, scenario: (p) => oneVm(p.lab), command: (p) => ['up', p.file], upFlags: [] },
  classroom: { name: 'classroom', kind: 'lab', setupUp: false, libvirt: false, scenario: (p) => classroom(p.lab), command: (p) => ['up', p.file, '--parallel', '3'], upFlags: ['--parallel', '3'] },
  run: { name: 'run', kind: 'lab', setupUp: true, libvirt: false, scenario: (p) => upgradeRollback(p.lab), command: (p) => ['run', p.file, '--junit', join(p.dir, 'junit.xml')], upFlags: [] },
  down: { name: 'down', kind: 'lab', setupUp: true, libvirt: false, scenario: (p) => oneVm(p.lab), command: (p) => ['down', p.file], upFlags: [] },
  pull: { name: 'pull', kind: 'cache', setupUp: false, libvirt: false, scenario: (p) => oneVm(p.lab), command: (p) => ['images', 'pull', p.mirror.url, '--sha256', p.mirror.sha256], upFlags: [] },
  matrix: { name: 'matrix', kind: 'lab', setupUp: false, libvirt: true, scenario: (p) => matrix(p.lab), command: (p) => ['up', p.file, '--parallel', '2'], upFlags: ['--parallel', '2'] },
};
