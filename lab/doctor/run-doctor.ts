import { arch, platform, release } from 'node:os';
import type { Probe, ProviderRegistry } from '../provider/index.js';
import { connectionComponent, kvmDevice, libvirtDaemon, libvirtLibrary, toolComponents, type Component } from './checks.js';

export interface ProviderProbe extends Probe {
  name: string;
}

export interface DoctorReport {
  host: { os: string; kernel: string; arch: string; node: string };
  components: Component[];
  /** What each provider found: available, accelerator, sound models. */
  providers: ProviderProbe[];
}

async function probeProvider(providers: ProviderRegistry, name: string): Promise<ProviderProbe> {
  try {
    return { name, ...(await (await providers.load(name)).probe()) };
  } catch (error) {
    return { name, available: false, reason: error instanceof Error ? error.message : String(error), notes: [] };
  }
}

/** What this host can run, and how to fix what it can't. Never fails: missing things are findings. */
export async function runDoctor(registry: ProviderRegistry): Promise<DoctorReport> {
  const [tools, library, daemon, kvm, providers] = await Promise.all([
    toolComponents(),
    libvirtLibrary(),
    libvirtDaemon(),
    kvmDevice(),
    Promise.all(registry.names().map((name) => probeProvider(registry, name))),
  ]);
  // the libvirt provider's probe is the connection check: libvirt is asked once
  const libvirt = providers.find((p) => p.name === 'libvirt');
  const connection = connectionComponent('qemu:///system', libvirt ?? new Error('the libvirt provider is not part of this build'));
  return {
    host: { os: platform(), kernel: release(), arch: arch(), node: process.version },
    components: [...tools, library, daemon, connection, kvm],
    providers,
  };
}

function renderProviders(providers: ProviderProbe[]): string[] {
  return providers.map((p) => {
    if (!p.available) return `provider ${p.name}: unavailable: ${p.reason ?? 'unknown reason'}`;
    const sound = p.soundModels ? `; sound models: ${p.soundModels.join(', ') || 'none'}` : '';
    return `provider ${p.name}: available; accelerator: ${p.accelerator ?? 'n/a'} (${p.notes.join('; ')})${sound}`;
  });
}

/** A fixed-width table for terminals. */
export function renderDoctor(report: DoctorReport): string {
  const rows = report.components.map((c) => [
    c.found ? 'ok' : 'missing',
    c.name,
    c.version ?? '',
    c.found ? (c.detail ?? c.path ?? '') : [c.detail, c.install].filter(Boolean).join('; '),
  ]);
  const widths = [7, Math.max(...rows.map((r) => r[1]!.length)), Math.max(7, ...rows.map((r) => r[2]!.length))];
  const line = (cells: string[]) => cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd();
  const { host } = report;
  return [
    `host: ${host.os} ${host.kernel} ${host.arch}, node ${host.node}`,
    line(['status', 'component', 'version', 'notes']),
    ...rows.map(line),
    ...renderProviders(report.providers),
  ].join('\n');
}
