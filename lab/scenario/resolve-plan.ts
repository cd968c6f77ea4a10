import { dirname, resolve } from 'node:path';
import type { Catalog } from '../catalog/index.js';
import { labStateDir } from '../state/index.js';
import type { Problem } from '../errors/index.js';
import { parseSize } from '../sizes/index.js';
import { formatPath, keyPosition, valuePosition, type PathSegment, type YamlSource } from '../yaml/index.js';
import { layerSettings } from './merge-settings.js';
import type { HardwarePlan, ImagePlan, LabPlan, LoginPlan, PortPlan, ProviderPlan, VmPlan } from './plan-types.js';
import { resolveImage } from './resolve-image.js';
import { resolveSteps } from './resolve-steps.js';
import { DURATION, type ProviderRef, type Scenario, type VmSettings } from './schema.js';

export interface PlanOptions {
  catalog: Catalog;
  /** Command-line overrides: the last layer. */
  overrides?: VmSettings;
}

/** Built-in defaults: the first layer, below the catalog's. */
export const BUILTIN = {
  provider: 'qemu',
  cpus: 1,
  memoryMiB: 1024,
  /** Generous: under TCG on a loaded host a 15 s boot can take minutes. */
  bootTimeoutSeconds: 600,
  hardware: { sound: 'none', firmware: 'bios', machine: 'pc', nics: 1, serial: true, graphics: 'none' } satisfies HardwarePlan,
} as const;

class ProblemList {
  readonly problems: Problem[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly source: YamlSource) {}

  at(path: PathSegment[], message: string, key?: string): void {
    const { line, col } = key ? keyPosition(this.source, path, key) : valuePosition(this.source, path);
    const id = `${line}:${col}:${message}`;
    if (this.seen.has(id)) return; // a defaults problem is found once per VM: report it once
    this.seen.add(id);
    this.problems.push({ file: this.source.file, line, col, message: `${formatPath(key ? [...path, key] : path)}: ${message}` });
  }
}

function durationMs(value: number | string): number {
  if (typeof value === 'number') return value * 1000;
  const [, amount, unit] = DURATION.exec(value)!;
  return Number(amount) * { s: 1000, m: 60_000, h: 3_600_000 }[unit as 's' | 'm' | 'h'];
}

function providerPlan(ref: ProviderRef): ProviderPlan {
  if (typeof ref === 'string') return { name: ref, options: {} };
  const { name, ...options } = ref;
  return { name, options };
}

function loginPlan(settings: VmSettings, image: ImagePlan): LoginPlan {
  const password = settings.login?.password;
  return {
    user: settings.login?.user ?? image.user,
    password: password === undefined ? undefined : password === 'generate' ? { kind: 'generate' } : { kind: 'literal', value: password },
    sshKeys: settings.login?.sshKeys ?? [],
  };
}

function portPlans(ports: VmSettings['ports']): PortPlan[] {
  return Object.entries(ports ?? {}).map(([key, host]) => {
    const [guest, protocol] = key.split('/');
    return { guest: Number(guest), protocol: protocol === 'udp' ? 'udp' : 'tcp', host };
  });
}

/** The path of the layer that set a key, for pointing at it: the VM's own, else the defaults'. */
function sourcePath(scenario: Scenario, index: number, key: keyof VmSettings): PathSegment[] {
  const vm = scenario.vms[index]!;
  return vm[key] !== undefined ? ['vms', index, key] : ['defaults', key];
}

interface VmContext {
  scenario: Scenario;
  options: PlanOptions;
  problems: ProblemList;
  scenarioDir: string;
}

function planVm(ctx: VmContext, index: number): VmPlan | undefined {
  const { scenario, options, problems } = ctx;
  const entry = scenario.vms[index]!;
  const settings = layerSettings(scenario.defaults, entry, options.overrides);
  if (settings.image === undefined) {
    problems.at(['vms', index], `VM "${entry.name}" has no image: set image on it or in defaults`);
    return undefined;
  }
  const imagePath = sourcePath(scenario, index, 'image');
  const image = resolveImage(settings.image, {
    catalog: options.catalog,
    scenarioDir: ctx.scenarioDir,
    report: (message, key) => problems.at(key ? [...imagePath, key] : imagePath, message),
  });
  if (!image) return undefined;
  const catalogMemory = image.id && options.catalog.get(image.id)?.memory;
  return {
    lab: scenario.name,
    name: entry.name,
    hostname: settings.hostname ?? entry.name,
    image,
    provider: providerPlan(settings.provider ?? BUILTIN.provider),
    cpus: settings.cpus ?? BUILTIN.cpus,
    memoryMiB: settings.memory !== undefined ? Math.ceil(parseSize(settings.memory) / 1024 ** 2) : catalogMemory || BUILTIN.memoryMiB,
    diskBytes: settings.disk === undefined ? undefined : parseSize(settings.disk),
    hardware: { ...BUILTIN.hardware, ...settings.hardware },
    login: loginPlan(settings, image),
    cloudConfig: settings.cloudConfig ?? {},
    metaData: settings.metaData ?? {},
    ports: portPlans(settings.ports),
    bootTimeoutMs: durationMs(settings.bootTimeout ?? BUILTIN.bootTimeoutSeconds),
  };
}

function checkUnique(scenario: Scenario, plans: VmPlan[], problems: ProblemList): void {
  const names = new Map<string, number>();
  scenario.vms.forEach((vm, index) => {
    const first = names.get(vm.name);
    if (first === undefined) names.set(vm.name, index);
    else problems.at(['vms', index, 'name'], `duplicate VM name "${vm.name}" (first used by vms[${first}])`);
  });
  const hostPorts = new Map<number, string>();
  for (const plan of plans) {
    for (const port of plan.ports) {
      if (port.host === 'auto') continue;
      const owner = hostPorts.get(port.host);
      const index = scenario.vms.findIndex((vm) => vm.name === plan.name);
      if (owner) problems.at([...sourcePath(scenario, index, 'ports'), `${port.guest}${port.protocol === 'udp' ? '/udp' : ''}`], `host port ${port.host} is already forwarded to ${owner}`);
      else hostPorts.set(port.host, `${plan.name}:${port.guest}`);
    }
  }
}

/** Resolves a validated scenario into a plan where every field is set, or returns every problem. */
export function resolvePlan(source: YamlSource, scenario: Scenario, options: PlanOptions): { plan?: LabPlan; problems: Problem[] } {
  const problems = new ProblemList(source);
  const file = resolve(source.file);
  const scenarioDir = dirname(file);
  const ctx: VmContext = { scenario, options, problems, scenarioDir };
  const vms = scenario.vms.map((_, index) => planVm(ctx, index)).filter((vm): vm is VmPlan => vm !== undefined);
  checkUnique(scenario, vms, problems);
  const steps = resolveSteps(scenario.steps, { vmNames: scenario.vms.map((vm) => vm.name), scenarioDir, report: (path, message, key) => problems.at(path, message, key) });
  if (problems.problems.length > 0) return { problems: problems.problems };
  const plan: LabPlan = {
    name: scenario.name,
    description: scenario.description,
    file,
    stateDir: labStateDir(file),
    vms,
    steps,
  };
  return { plan, problems: [] };
}
