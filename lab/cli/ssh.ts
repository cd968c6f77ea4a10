import type { Command } from 'commander';
import type { App } from './app.js';
import { readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import type { Client } from 'ssh2';
import { runAction } from './run-action.js';

interface SshFlags {
  scenario: string;
}

export function register(program: Command, app: App): void {
  program
    .command('ssh')
    .description('log into a VM (host key pinned); with -- CMD, run CMD and exit with its status')
    .argument('<vm>', 'VM name (<combination>/<vm> in a matrix)')
    .argument('[command...]', 'command to run (after --)')
    .option('-s, --scenario <file>', 'scenario file', 'atomlab.yaml')
    .action(
      runAction(async (name: string, command: string[], flags: SshFlags) => {
        const { findVm } = await import('../engine/index.js');
        const { AtomlabError } = await import('../errors/index.js');
        const { record, provider, paths } = await findVm(flags.scenario, name, app.providers);
        const user = record.ssh?.user ?? 'fedora';
        if ((await provider.state(record.ref)) !== 'running') {
          // something else answering at the stopped VM's address is refused by name, not just "not running"
          const { refuseImpostor } = await import('../ssh/index.js');
          if (record.ssh) await refuseImpostor({ ...record.ssh, privateKey: await readFile(paths.privateKey, 'utf8'), hostKey: record.hostKey });
          throw new AtomlabError(`${name} is not running`, { code: 'FAILED', hint: `start it with: atomlab up ${flags.scenario}` });
        }
        const endpoint = await provider.endpoint(record.ref);
        if (command.length > 0) {
          const { sshConnect } = await import('../ssh/index.js');
          const client = await sshConnect({ ...endpoint, user, privateKey: await readFile(paths.privateKey, 'utf8'), hostKey: record.hostKey });
          return runRemote(client, command.join(' '));
        }
        const { requireTool } = await import('../host/index.js');
        const ssh = await requireTool('ssh');
        const args = ['-i', paths.privateKey, '-p', String(endpoint.port), '-o', `UserKnownHostsFile=${paths.knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'IdentitiesOnly=yes', '-o', 'LogLevel=ERROR', `${user}@${endpoint.host}`];
        return new Promise<number>((resolve) => spawn(ssh, args, { stdio: 'inherit' }).on('close', (code) => resolve(code ?? 255)));
      }),
    );
}

/** Runs a command over the verified connection, streaming its output; resolves its exit status. */
function runRemote(client: Client, command: string): Promise<number> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) return reject(error);
      channel.pipe(process.stdout, { end: false });
      channel.stderr.pipe(process.stderr, { end: false });
      if (!process.stdin.isTTY) process.stdin.pipe(channel);
      channel.on('close', (code: number | null) => {
        client.end();
        resolve(code ?? 255);
      });
    });
  });
}
