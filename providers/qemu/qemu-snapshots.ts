import { execFile } from 'node:child_process';
import { AtomlabError } from '../../lab/errors/index.js';
import type { VmRef, VmState } from '../../lab/provider/index.js';
import { qmpOnce } from './qmp-client.js';
import { vmData } from './vm-files.js';

function qemuImg(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('qemu-img', args, { encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new AtomlabError(`qemu-img ${args[0]} failed: ${stderr.trim() || error.message}`, { code: 'FAILED', context: { command: `qemu-img ${args.join(' ')}`, stderrTail: stderr } }));
      else resolve(stdout);
    });
  });
}

/** HMP commands report failure as text, not as a QMP error. */
async function hmp(socket: string, commandLine: string): Promise<void> {
  const output = await qmpOnce<string>(socket, 'human-monitor-command', { 'command-line': commandLine });
  if (/error|not found|doesn't|does not/i.test(output)) {
    throw new AtomlabError(`${commandLine}: ${output.trim()}`, { code: 'FAILED', context: { command: commandLine } });
  }
}

/**
 * Internal qcow2 snapshots: of the running VM (disk and memory) through the monitor, or of the
 * disk with qemu-img when the VM is stopped.
 */
export class QemuSnapshots {
  constructor(private readonly stateOf: (vm: VmRef) => Promise<VmState>) {}

  private async running(vm: VmRef): Promise<boolean> {
    const state = await this.stateOf(vm);
    return state === 'running' || state === 'paused';
  }

  async create(vm: VmRef, name: string): Promise<void> {
    const data = vmData(vm.data);
    if (await this.running(vm)) await hmp(data.qmpSocket, `savevm ${name}`);
    else await qemuImg(['snapshot', '-c', name, data.disk]);
  }

  async revert(vm: VmRef, name: string): Promise<void> {
    const data = vmData(vm.data);
    if (!(await this.list(vm)).includes(name)) {
      throw new AtomlabError(`${vm.name} has no snapshot "${name}"`, { code: 'BAD_INPUT', context: { vm: vm.name } });
    }
    if (await this.running(vm)) await hmp(data.qmpSocket, `loadvm ${name}`);
    else await qemuImg(['snapshot', '-a', name, data.disk]);
  }

  async list(vm: VmRef): Promise<string[]> {
    const info = JSON.parse(await qemuImg(['info', '-U', '--output=json', vmData(vm.data).disk])) as { snapshots?: { name: string }[] };
    return (info.snapshots ?? []).map((snapshot) => snapshot.name);
  }

  async remove(vm: VmRef, name: string): Promise<void> {
    const data = vmData(vm.data);
    if (await this.running(vm)) await hmp(data.qmpSocket, `delvm ${name}`);
    else await qemuImg(['snapshot', '-d', name, data.disk]);
  }
}
