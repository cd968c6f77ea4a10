import { dirname, resolve } from 'node:path';
import type { Catalog } from '../catalog/index.js';
import { labStateDir } from '../state/index.js';
import type { Problem } from '../errors/index.js';
import { parseSize } from '../sizes/index.js';
import type { PathSegment, YamlSource } from '../yaml/index.js';
import { expandEntry, renderSettings, type ExpandedVm } from './expand-count.js';
import { layerSettings } from './merge-settings.js';
import type { HardwarePlan, HostPlan, ImagePlan, LabPlan, LoginPlan, PortPlan, ProviderPlan, VmPlan } from './plan-types.js';
import { ProblemList } from './problem-list.js';
import { resolveImage } from './resolve-image.js';
import { DURATION, type ProviderRef, type Scenario, type VmSettings } from './schema.js';
import { servedNames } from './template-vars.js';

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
  deferred: string[];
}

/** One VM's settings: defaults < entry < flags, templates filled. */
function vmSettings(ctx: VmContext, vm: ExpandedVm): VmSettings | undefined {
  const { name: _name, count: _count, ...own } = ctx.scenario.vms[vm.index]!;
  const layered = layerSettings(ctx.scenario.defaults, own, ctx.options.overrides);
  return renderSettings(layered, vm, ctx.problems, (key) => sourcePath(ctx.scenario, vm.index, key));
}

function planVm(ctx: VmContext, vm: ExpandedVm): VmPlan | undefined {
  const { scenario, options, problems } = ctx;
  const index = vm.index;
  const settings = vmSettings(ctx, vm);
  if (!settings) return undefined;
  if (settings.image === undefined) {
    problems.at(['vms', index], `VM "${vm.name}" has no image: set image on it or in defaults`);
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
  const provider = providerPlan(settings.provider ?? BUILTIN.provider);
  return {
    lab: scenario.name,
    name: vm.name,
    hostname: settings.hostname ?? vm.name,
    image,
    provider,
    cpus: settings.cpus ?? BUILTIN.cpus,
    memoryMiB: settings.memory !== undefined ? Math.ceil(parseSize(settings.memory) / 1024 ** 2) : catalogMemory || BUILTIN.memoryMiB,
    diskBytes: settings.disk === undefined ? undefined : parseSize(settings.disk),
    hardware: { ...BUILTIN.hardware, ...settings.hardware },
    login: loginPlan(settings, image),
    cloudConfig: settings.cloudConfig ?? {},
    metaData: settings.metaData ?? {},
    ports: portPlans(settings.ports),
    bootTimeoutMs: durationMs(settings.bootTimeout ?? BUILTIN.bootTimeoutSeconds),
    placed: Boolean(scenario.hosts?.length) && provider.name === 'libvirt' && provider.options.uri === undefined,
  };
}

interface Planned {
  vm: ExpandedVm;
  plan: VmPlan;
}

function checkUnique(scenario: Scenario, vms: ExpandedVm[], planned: Planned[], problems: ProblemList): void {
  const names = new Map<string, ExpandedVm>();
  for (const vm of vms) {
    const first = names.get(vm.name);
    if (first === undefined) names.set(vm.name, vm);
    else problems.at(['vms', vm.index, 'name'], `duplicate VM name "${vm.name}" (first made by vms[${first.index}])`);
  }
  const hostPorts = new Map<number, string>();
  for (const { vm, plan } of planned) {
    for (const port of plan.ports) {
      if (port.host === 'auto') continue;
      const owner = hostPorts.get(port.host);
      if (owner) problems.at([...sourcePath(scenario, vm.index, 'ports'), `${port.guest}${port.protocol === 'udp' ? '/udp' : ''}`], `host port ${port.host} is already forwarded to ${owner}`);
      else hostPorts.set(port.host, `${plan.name}:${port.guest}`);
    }
  }
}

function hostPlans(scenario: Scenario, planned: Planned[], problems: ProblemList): HostPlan[] {
  const hosts = scenario.hosts ?? [];
  const seen = new Set<string>();
  hosts.forEach((host, index) => {
    if (seen.has(host.uri)) problems.at(['hosts', index, 'uri'], `host ${host.uri} is listed twice`);
    seen.add(host.uri);
  });
  if (hosts.length && !planned.some(({ plan }) => plan.placed)) {
    problems.at(['hosts'], 'hosts places libvirt VMs that name no uri of their own, and this lab has none: set provider: libvirt (in defaults or on the VMs)');
  }
  return hosts.map((host) => ({ uri: host.uri, cpus: host.cpus, memoryMiB: host.memory === undefined ? undefined : Math.ceil(parseSize(host.memory) / 1024 ** 2) }));
}

/** Resolves a validated scenario into a plan where every field is set, or returns every problem. */
export function resolvePlan(source: YamlSource, scenario: Scenario, options: PlanOptions): { plan?: LabPlan; problems: Problem[] } {
  const problems = new ProblemList(source);
  const file = resolve(source.file);
  const scenarioDir = dirname(file);
  const ctx: VmContext = { scenario, options, problems, scenarioDir, deferred: servedNames(scenario) };
  const expanded = scenario.vms.flatMap((_, index) => expandEntry({ scenario, problems, deferred: ctx.deferred }, index));
  const planned = expanded.flatMap((vm) => {
    const plan = planVm(ctx, vm);
    return plan ? [{ vm, plan }] : [];
  });
  checkUnique(scenario, expanded, planned, problems);
  const hosts = hostPlans(scenario, planned, problems);
  if (problems.problems.length > 0) return { problems: problems.problems };
  const plan: LabPlan = {
    name: scenario.name,
    description: scenario.description,
    file,
    stateDir: labStateDir(file),
    vms: planned.map(({ plan }) => plan),
    hosts,
    placement: scenario.placement ?? 'fill',
  };
  return { plan, problems: [] };
}
