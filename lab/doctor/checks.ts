import type { ProviderRegistry } from '../provider/index.js';
import { access, constants, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { execFile } from 'node:child_process';
import { TOOLS, inspectTool, type ToolName } from '../host/index.js';
import type { Probe } from '../provider/index.js';

/** One line of the doctor's report. */
export interface Component {
  name: string;
  found: boolean;
  version?: string;
  path?: string;
  /** What it is for. */
  purpose: string;
  /** Debian package that provides it. */
  package?: string;
  /** How to get it when missing. */
  install?: string;
  /** Anything else worth knowing (a socket refused, a device not writable). */
  detail?: string;
}

const TOOL_CHECKS: ToolName[] = ['qemu-system-x86_64', 'qemu-img', 'xz', 'zstd', 'bzip2', 'libvirtd', 'virsh', 'VBoxManage', 'vmrun', 'ssh'];

export async function toolComponents(): Promise<Component[]> {
  return Promise.all(TOOL_CHECKS.map((name) => inspectTool(name, TOOLS[name])));
}

function ldconfigLibraries(): Promise<string> {
  return new Promise((resolve) => {
    execFile('ldconfig', ['-p'], { encoding: 'utf8', timeout: 5000 }, (_error, stdout) => resolve(stdout ?? ''));
  });
}

const LIBVIRT_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];

export async function libvirtLibrary(): Promise<Component> {
  const base = { name: 'libvirt library (libvirt.so.0)', purpose: 'libvirt provider, called through its C API', package: 'libvirt0' };
  const fromCache = /libvirt\.so\.0 \([^)]*\) => (\S+)/.exec(await ldconfigLibraries())?.[1];
  for (const candidate of [fromCache, ...LIBVIRT_DIRS.map((dir) => `${dir}/libvirt.so.0`)]) {
    if (!candidate) continue;
    if (await access(candidate, constants.R_OK).then(() => true, () => false)) return { ...base, found: true, path: candidate };
  }
  return { ...base, found: false, install: 'install it with: apt-get install libvirt0 (or run scripts/setup-host)' };
}

function socketAnswers(path: string, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (problem: string | undefined) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done('no answer'));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

export const LIBVIRT_SOCKET = '/run/libvirt/libvirt-sock';

export async function libvirtDaemon(socketPath = LIBVIRT_SOCKET): Promise<Component> {
  const base = { name: 'libvirt daemon socket', purpose: 'libvirt provider (local qemu:///system)', path: socketPath, package: 'libvirt-daemon' };
  const exists = await stat(socketPath).then((info) => info.isSocket(), () => false);
  if (!exists) {
    return { ...base, found: false, detail: 'libvirtd is not running', install: 'start it: virtlogd -d && libvirtd -d (no systemd needed)' };
  }
  const problem = await socketAnswers(socketPath);
  if (problem) return { ...base, found: false, detail: `socket does not answer (${problem})`, install: 'restart libvirtd' };
  return { ...base, found: true, detail: 'accepting connections' };
}

export async function kvmDevice(path = '/dev/kvm'): Promise<Component> {
  const base = { name: 'KVM device', purpose: 'hardware acceleration (else QEMU uses TCG, slower)', path };
  const exists = await stat(path).then(() => true, () => false);
  if (!exists) return { ...base, found: false, detail: 'absent: VMs run under TCG emulation', install: 'enable virtualization in firmware, load kvm_intel or kvm_amd' };
  const writable = await access(path, constants.R_OK | constants.W_OK).then(() => true, () => false);
  const detail = writable
    ? 'present; whether guests really run under KVM is decided by a boot probe (nested virtualization often hangs)'
    : 'present but not writable by this user: add yourself to the kvm group';
  return { ...base, found: writable, detail };
}

/** The libvirt connection as a component, from the libvirt provider's probe (or its failure). */
export function connectionComponent(uri: string, probe: Probe | Error): Component {
  const base = { name: `libvirt connection (${uri})`, purpose: 'libvirt provider', package: 'libvirt-daemon libvirt-daemon-driver-qemu' };
  if (probe instanceof Error) {
    const hint = (probe as { hint?: string }).hint;
    return { ...base, found: false, detail: probe.message, ...(hint ? { install: hint } : {}) };
  }
  if (!probe.available) return { ...base, found: false, detail: probe.reason };
  return { ...base, found: true, version: probe.version, detail: probe.notes[0] };
}

/**
 * Whether libvirt answers at a URI, asked through the libvirt provider's own bindings (so a
 * broken library, a missing daemon and a refused connection each say so).
 */
export async function libvirtConnection(providers: ProviderRegistry, uri = 'qemu:///system', timeoutMs = 5000): Promise<Component> {
  try {
    const provider = await providers.load('libvirt', { uri, probeTimeoutMs: timeoutMs, qemuDevices: [] });
    return connectionComponent(uri, await provider.probe());
  } catch (error) {
    return connectionComponent(uri, error instanceof Error ? error : new Error(String(error)));
  }
}
