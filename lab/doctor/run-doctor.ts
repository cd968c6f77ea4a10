import { arch, platform, release } from 'node:os';
import { kvmDevice, libvirtConnection, libvirtDaemon, libvirtLibrary, toolComponents, type Component } from './checks.js';

export interface DoctorReport {
  host: { os: string; kernel: string; arch: string; node: string };
  components: Component[];
}

/** What this host can run, and how to fix what it can't. Never fails: missing things are findings. */
export async function runDoctor(): Promise<DoctorReport> {
  const [tools, library, daemon, connection, kvm] = await Promise.all([toolComponents(), libvirtLibrary(), libvirtDaemon(), libvirtConnection(), kvmDevice()]);
  return {
    host: { os: platform(), kernel: release(), arch: arch(), node: process.version },
    components: [...tools, library, daemon, connection, kvm],
  };
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
  ].join('\n');
}
