import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConcreteSound } from '../../lab/hardware/index.js';
import type { VmPlan } from '../../lab/plan/index.js';
import type { Forward, QemuPaths, SeedAttachment } from './command-line.js';

/** Everything the qemu provider keeps in a VmRef: plain data, persisted in the lab state. */
export interface QemuVmData extends QemuPaths {
  dir: string;
  /** Short directory for the sockets (unix socket paths are limited to 107 bytes). */
  runDir: string;
  runtimeFile: string;
  binary: string;
  accel: 'kvm' | 'tcg';
  sound: ConcreteSound;
  uefiCode?: string;
  biosOnSerial: boolean;
  plan: VmPlan;
}

/** What a running QEMU was started with: written at start, read by endpoint/console. */
export interface QemuRuntime {
  forwards: Forward[];
  /** The host address forwarded ports are bound to (absent in older runtimes: 127.0.0.1). */
  listen?: string;
  displayPort?: number;
  /** Console log size when this boot began: the boot's lines start there. */
  consoleOffset: number;
  startedAt: string;
}

const SOCKET_PATH_LIMIT = 100;

/** Sockets beside the VM when the path is short enough, else in a short per-VM directory. */
export function socketDir(vmDir: string): string {
  if (join(vmDir, 'console.sock').length <= SOCKET_PATH_LIMIT) return vmDir;
  const base = process.env.XDG_RUNTIME_DIR || join(tmpdir(), `atomlab-${process.getuid?.() ?? 0}`);
  return join(base, createHash('sha256').update(vmDir).digest('hex').slice(0, 16));
}

export function vmPaths(vmDir: string, seed: SeedAttachment, consoleLog: string, uefi: boolean): Omit<QemuVmData, 'binary' | 'accel' | 'sound' | 'plan' | 'uefiCode' | 'biosOnSerial'> {
  const runDir = socketDir(vmDir);
  return {
    dir: vmDir,
    runDir,
    disk: join(vmDir, 'disk.qcow2'),
    seed,
    consoleLog,
    qmpSocket: join(runDir, 'qmp.sock'),
    consoleSocket: join(runDir, 'console.sock'),
    pidFile: join(vmDir, 'qemu.pid'),
    runtimeFile: join(vmDir, 'qemu-runtime.json'),
    uefiVars: uefi ? join(vmDir, 'OVMF_VARS.fd') : undefined,
  };
}

export function vmData(data: Record<string, unknown>): QemuVmData {
  return data as unknown as QemuVmData;
}
