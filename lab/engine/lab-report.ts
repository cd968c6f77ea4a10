import type { Provider, VmState } from '../provider/index.js';
import type { LabState, VmRecord } from '../state/index.js';
import type { TaggedReport } from './inventory.js';

/** One VM as `up --json` and `status --json` show it. */
export interface VmReport {
  name: string;
  provider: string;
  state: VmState;
  ssh?: { host: string; port: number; user: string };
  ports?: VmRecord['ports'];
  login: { verified: boolean; methods: string[]; hostKey?: string };
  timings?: Record<string, number>;
  action?: string;
  /** The libvirt host it runs on, when the lab has several. */
  host?: string;
  /** Why earlier attempts failed, when `up` recreated it. */
  retried?: string[];
  error?: string;
  /** The matrix combination the VM belongs to (its key), in a matrix report. */
  combination?: string;
}

/** A served directory, and where this machine reaches it. */
export interface ServeReport {
  name: string;
  path: string;
  url: string;
  running: boolean;
}

/** One combination of a matrix: its own lab. */
export interface CombinationReport {
  key: string;
  values: Record<string, string>;
  lab: string;
  vms: VmReport[];
  serve?: ServeReport[];
  untracked?: TaggedReport[];
  /** Why this combination did not run (its provider is unavailable on this host). */
  skipped?: string;
}

export interface LabReport {
  lab: string;
  scenario: string;
  /** Every VM; in a matrix, of every combination (each VM says which). */
  vms: VmReport[];
  serve?: ServeReport[];
  /**
   * Per billable provider: what carries the lab's tag in its cloud that the state does not know
   * (left by a crash, a killed `up`, or another checkout at the same path); `down` removes it.
   * A provider that could not be asked says why in `error`.
   */
  untracked?: TaggedReport[];
  /** A matrix scenario's labs, one per combination, in file order. */
  combinations?: CombinationReport[];
  /** A combination's lab that was not run, and why. */
  skipped?: string;
}

/** One report for a scenario's labs: a plain lab's as it is, a matrix grouped by combination. */
export function combineReports(lab: string, scenario: string, labs: { report: LabReport; key?: string; values?: Record<string, string> }[]): LabReport {
  if (labs.length === 1 && labs[0]!.key === undefined) return labs[0]!.report;
  const combinations = labs.map(({ report, key, values }) => ({
    key: key ?? '', values: values ?? {}, lab: report.lab, vms: report.vms.map((vm) => ({ ...vm, combination: key })), serve: report.serve, untracked: report.untracked,
    ...(report.skipped ? { skipped: report.skipped } : {}),
  }));
  return { lab, scenario, vms: combinations.flatMap((c) => c.vms), combinations };
}

/** The VM's state as its provider tells it; `unknown`, and why, when the provider could not be asked. */
async function stateOf(record: VmRecord | undefined, provider: Provider | undefined): Promise<{ state: VmState; why?: string }> {
  if (!record?.ref || !provider) return { state: 'missing' };
  try {
    return { state: await provider.state(record.ref) };
  } catch (error) {
    return { state: 'unknown', why: `its state is unknown: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export async function vmReport(record: VmRecord | undefined, name: string, providerName: string, provider: Provider | undefined): Promise<VmReport> {
  const { state, why } = await stateOf(record, provider);
  const running = state === 'running';
  return {
    name,
    provider: record?.provider ?? providerName,
    state,
    ssh: running ? record?.ssh : undefined,
    ports: running ? record?.ports : undefined,
    login: { verified: running && Boolean(record?.login?.verified), methods: record?.login?.methods ?? [], hostKey: record?.login?.hostKey },
    timings: record?.timings,
    host: typeof record?.providerOptions.uri === 'string' ? record.providerOptions.uri : undefined,
    error: why ?? record?.error,
  };
}

/** known_hosts lines for `atomlab ssh`: each running VM's pinned key at its forwarded port. */
export function knownHosts(state: LabState): string {
  return Object.values(state.vms)
    .filter((vm) => vm.ssh)
    .map((vm) => `[${vm.ssh!.host}]:${vm.ssh!.port} ${vm.hostKey.split(' ').slice(0, 2).join(' ')}`)
    .join('\n');
}

/** A table for terminals. */
export function renderReport(report: LabReport): string {
  const hosts = new Set(report.vms.map((vm) => vm.host).filter(Boolean)).size > 1;
  const rows = report.vms.map((vm) => [
    vm.name,
    hosts ? `${vm.provider} ${vm.host ?? ''}` : vm.provider,
    vm.state,
    vm.login.verified ? 'verified' : vm.error ? 'failed' : '-',
    vm.ssh ? `ssh ${vm.ssh.user}@${vm.ssh.host} -p ${vm.ssh.port}` : '',
  ]);
  const header = ['VM', hosts ? 'PROVIDER HOST' : 'PROVIDER', 'STATE', 'LOGIN', 'SSH'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
  const failed = report.vms.filter((vm) => !vm.login.verified && vm.error);
  const retried = report.vms.filter((vm) => vm.retried?.length);
  const notes = [
    ...(failed.length ? [`${failed.length} of ${report.vms.length} VM(s) not verified:`, ...failed.map((vm) => `  ${vm.name}: ${vm.error}`)] : []),
    ...retried.map((vm) => `${vm.name} was recreated after: ${vm.retried!.join('; ')}`),
  ];
  const served = (report.serve ?? []).map((s) => `serve ${s.name}: ${s.running ? s.url : 'stopped'} (${s.path})`);
  return [`lab ${report.lab} (${report.scenario})`, line(header), ...rows.map(line), ...served, ...notes, ...untrackedLines(report.untracked)].join('\n');
}

/** What the clouds hold with the lab's tag that the state does not know, for the text view. */
export function untrackedLines(untracked: TaggedReport[] | undefined): string[] {
  if (!untracked?.length) return [];
  const found = untracked.flatMap((report) => report.resources.map((r) => `  ${report.provider} ${r.kind} ${r.id}${r.state ? ` (${r.state})` : ''}`));
  const failed = untracked.filter((report) => report.error).map((report) => `  ${report.provider}: could not look: ${report.error}`);
  return [...(found.length ? ['in the cloud with this lab\'s tag, not in its state (atomlab down removes them):', ...found] : []), ...failed];
}

/** The text view: one table per lab (per combination in a matrix). */
export function renderReports(report: LabReport): string {
  if (!report.combinations) return renderReport(report);
  const title = (c: CombinationReport) => `${c.lab} [${Object.entries(c.values).map(([k, v]) => `${k}=${v}`).join(' ')}]`;
  const tables = report.combinations.map((c) => (c.skipped ? `${title(c)}: skipped: ${c.skipped}` : renderReport({ lab: title(c), scenario: report.scenario, vms: c.vms, serve: c.serve, untracked: c.untracked })));
  return tables.join('\n\n');
}
