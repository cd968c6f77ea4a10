import { dirname, resolve } from 'node:path';
import type { Catalog } from '../catalog/index.js';
import type { ProviderRegistry } from '../provider/index.js';
import type { SeedTransport } from '../seed/index.js';
import { labStateDir, matrixStateDir } from '../state/index.js';
import type { Problem } from '../errors/index.js';
import { parseSize } from '../sizes/index.js';
import type { PathSegment, YamlSource } from '../yaml/index.js';
import { expandEntry, renderSettings, type ExpandedVm } from './expand-count.js';
import { expandMatrix, type Combination } from './expand-matrix.js';
import { layerSettings } from './merge-settings.js';
import type { HardwarePlan, HostPlan, ImagePlan, LabPlan, LoginPlan, PortPlan, ProviderPlan, ServePlan, VmPlan } from '../plan/index.js';
import { planFragment, type FragmentCheck } from './ignition-fragments.js';
import { ProblemList } from './problem-list.js';
import { resolveImage } from './resolve-image.js';
import { resolveServe, serveForLab } from './resolve-serve.js';
import { resolveSteps } from './resolve-steps.js';
import { DURATION, NAME_PATTERN, type ProviderRef, type Scenario, type VmSettings } from './schema.js';

export interface PlanOptions {
  catalog: Catalog;
  providers: ProviderRegistry;
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

/**
 * `seed: auto` becomes the provider's first transport, or Ignition for an image configured by
 * Ignition (refused, at the image, by a provider that cannot carry it); others must be ones it carries.
 */
function seedPlan(ctx: VmContext, index: number, settings: VmSettings, provider: ProviderPlan, image: ImagePlan): SeedTransport | undefined {
  const carried = ctx.options.providers.get(provider.name).seedTransports;
  const asked = settings.seed ?? 'auto';
  if (asked === 'auto' && image.config !== 'ignition') return carried[0];
  const wanted = asked === 'auto' ? 'ignition' : asked;
  if (carried.includes(wanted)) return wanted;
  if (asked === 'auto') {
    const able = ctx.options.providers.providers.filter((p) => p.seedTransports.includes('ignition')).map((p) => p.name);
    const use = able.length > 1 ? `${able.slice(0, -1).join(', ')} or ${able.at(-1)}` : able.join('');
    ctx.problems.at(sourcePath(ctx, index, 'image'), `image ${image.id} is configured by Ignition, which provider ${provider.name} cannot carry (it takes ${carried.join(', ')}): use ${use}`);
    return undefined;
  }
  ctx.problems.at(sourcePath(ctx, index, 'seed'), `provider ${provider.name} cannot carry a ${asked} seed: it takes ${carried.join(', ')}`);
  return undefined;
}

/** An image already in a cloud boots only on a provider registered with its kind; the problem points at the image. */
function bootsImage(ctx: VmContext, vm: ExpandedVm, provider: ProviderPlan, image: ImagePlan): boolean {
  const registered = ctx.options.providers.get(provider.name);
  if (!image.cloud || registered.cloudImages.includes(image.cloud.kind)) return true;
  const able = ctx.options.providers.providers.filter((candidate) => candidate.cloudImages.includes(image.cloud!.kind)).map((candidate) => candidate.name);
  const takes = ['an image file (url, path or a catalog id)', ...registered.cloudImages.map((kind) => `{${kind}: …}`)].join(' or ');
  ctx.problems.at([...sourcePath(ctx, vm.index, 'image'), image.cloud.kind], `VM "${vm.name}" uses provider ${provider.name}, which cannot boot ${image.title}: ${able.length ? `only ${able.join(', ')} can` : 'no provider of this atomlab can'}; give it ${takes}`);
  return false;
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

interface VmContext {
  scenario: Scenario;
  options: PlanOptions;
  problems: ProblemList;
  scenarioDir: string;
  /** Served names (`serve.NAME`), filled at seed time. */
  deferred: string[];
  /** The lab's name (a matrix combination's own). */
  lab: string;
  combination?: Combination;
  source: YamlSource;
  /** `ignition:` fragments of VMs whose image is configured by Ignition, for the judge. */
  fragments: FragmentCheck[];
}

/** The path of the layer that set a key, for pointing at it: the VM's own, the matrix value, else the defaults'. */
function sourcePath(ctx: VmContext, index: number, key: keyof VmSettings): PathSegment[] {
  const vm = ctx.scenario.vms[index]!;
  if (vm[key] !== undefined) return ['vms', index, key];
  const chosen = ctx.combination?.indexes[key];
  return chosen === undefined ? ['defaults', key] : ['matrix', key, chosen];
}

/** One VM's settings: defaults < matrix value < entry < flags, templates filled. */
function vmSettings(ctx: VmContext, vm: ExpandedVm): VmSettings | undefined {
  const { name: _name, count: _count, ...own } = ctx.scenario.vms[vm.index]!;
  const layered = layerSettings(ctx.scenario.defaults, ctx.combination?.settings, own, ctx.options.overrides);
  return renderSettings(layered, vm, ctx.problems, (key) => sourcePath(ctx, vm.index, key));
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
  const imagePath = sourcePath(ctx, index, 'image');
  const image = resolveImage(settings.image, {
    catalog: options.catalog,
    scenarioDir: ctx.scenarioDir,
    report: (message, key) => problems.at(key ? [...imagePath, key] : imagePath, message),
  });
  if (!image) return undefined;
  const catalogMemory = image.id && options.catalog.get(image.id)?.memory;
  const provider = providerPlan(settings.provider ?? BUILTIN.provider);
  const seed = seedPlan(ctx, index, settings, provider, image);
  const boots = bootsImage(ctx, vm, provider, image);
  if (!seed || !boots) return undefined;
  return {
    lab: ctx.lab,
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
    ignition: vmFragment(ctx, index, settings, image),
    metaData: settings.metaData ?? {},
    seed,
    ports: portPlans(settings.ports),
    bootTimeoutMs: durationMs(settings.bootTimeout ?? BUILTIN.bootTimeoutSeconds),
    placed: Boolean(scenario.hosts?.length) && provider.name === 'libvirt' && provider.options.uri === undefined,
  };
}

/** The `ignition:` fragments as written in each layer a VM takes them from (defaults, matrix value, its own). */
function writtenFragments(ctx: VmContext, index: number): { path: PathSegment[]; fragment: Record<string, unknown> }[] {
  const chosen = ctx.combination?.indexes.ignition;
  const layers: [PathSegment[], Record<string, unknown> | undefined][] = [
    [['defaults', 'ignition'], ctx.scenario.defaults?.ignition],
    [['matrix', 'ignition', chosen ?? 0], chosen === undefined ? undefined : ctx.scenario.matrix?.ignition?.[chosen]],
    [['vms', index, 'ignition'], ctx.scenario.vms[index]!.ignition],
  ];
  return layers.flatMap(([path, fragment]) => (fragment ? [{ path, fragment }] : []));
}

/** A VM's fragment for its plan (layers merged); each written layer is judged on its own, at its lines. */
function vmFragment(ctx: VmContext, index: number, settings: VmSettings, image: ImagePlan): Record<string, unknown> {
  const fragment = planFragment(ctx.source, sourcePath(ctx, index, 'ignition'), settings.ignition, (path, message) => ctx.problems.at(path, message));
  if (image.config !== 'ignition') return fragment;
  const version = image.ignitionVersion ?? DEFAULT_IGNITION_SPEC;
  for (const written of writtenFragments(ctx, index)) ctx.fragments.push({ ...written, version });
  return fragment;
}

/** What atomlab writes when an image names no spec version. */
const DEFAULT_IGNITION_SPEC = '3.3.0';

interface Planned {
  vm: ExpandedVm;
  plan: VmPlan;
}

function checkUnique(ctx: VmContext, vms: ExpandedVm[], planned: Planned[]): void {
  const { problems } = ctx;
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
      if (owner) problems.at([...sourcePath(ctx, vm.index, 'ports'), `${port.guest}${port.protocol === 'udp' ? '/udp' : ''}`], `host port ${port.host} is already forwarded to ${owner}`);
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

type LabBase = Omit<VmContext, 'lab' | 'combination'> & { file: string };

/** One lab: the scenario as written, or one combination of its matrix. */
function planLab(base: LabBase, serve: ServePlan[], combination?: Combination): LabPlan {
  const { scenario, problems, file } = base;
  const lab = combination ? `${scenario.name}-${combination.key}` : scenario.name;
  if (!NAME_PATTERN.test(lab)) problems.at(['matrix'], `the combination's lab name "${lab}" is too long for a host or domain name (at most 63): shorten the name or the values`);
  const ctx: VmContext = { ...base, lab, combination };
  const expanded = scenario.vms.flatMap((_, index) => expandEntry({ scenario, problems, deferred: ctx.deferred, lab }, index));
  const planned = expanded.flatMap((vm) => {
    const plan = planVm(ctx, vm);
    return plan ? [{ vm, plan }] : [];
  });
  checkUnique(ctx, expanded, planned);
  const hosts = hostPlans(scenario, planned, problems);
  const stateDir = combination ? matrixStateDir(file, combination.key) : labStateDir(file);
  const vmNames = planned.map(({ plan }) => plan.name);
  const steps = resolveSteps(scenario.steps, { vmNames, scenarioDir: base.scenarioDir, report: (path, message, key) => problems.at(path, message, key) });
  const plan: LabPlan = { name: lab, description: scenario.description, file, stateDir, vms: planned.map(({ plan }) => plan), hosts, placement: scenario.placement ?? 'fill', serve: serveForLab(serve, stateDir), steps };
  return combination ? { ...plan, combination: combination.labels, combinationKey: combination.key } : plan;
}

/**
 * Resolves a validated scenario into plans where every field is set (one, or one per matrix
 * combination), or returns every problem.
 */
export function resolvePlan(source: YamlSource, scenario: Scenario, options: PlanOptions): { plans?: LabPlan[]; problems: Problem[]; fragments: FragmentCheck[] } {
  const problems = new ProblemList(source);
  const file = resolve(source.file);
  const scenarioDir = dirname(file);
  const serve = resolveServe(scenario, scenarioDir, (path, message) => problems.at(path, message));
  const fragments: FragmentCheck[] = [];
  const base: LabBase = { scenario, options, problems, scenarioDir, file, source, fragments, deferred: serve.map((entry) => `serve.${entry.name}`) };
  const combinations = scenario.matrix ? expandMatrix(scenario.matrix) : [undefined];
  const plans = combinations.map((combination) => planLab(base, serve, combination));
  if (problems.problems.length > 0) return { problems: problems.problems, fragments };
  return { plans, problems: [], fragments };
}
