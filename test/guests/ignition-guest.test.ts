import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../helpers/run-cli.js';
import { labDir, processesMentioning } from '../helpers/lab.js';
import { ensureLibvirtd, type Libvirtd } from '../fixtures/libvirtd.js';

// The real Ignition (Debian's, in a dracut initramfs) configures the `ignition` test guest from
// atomlab's fw_cfg seed, on QEMU and on libvirt. Building that guest (mmdebstrap + dracut) takes
// half an hour on a loaded 2-core machine and each boot runs systemd twice (initramfs, real
// root) under TCG: opt in with `npm run test:ignition-guest`.
const asked = process.env.ATOMLAB_IGNITION_GUEST === '1';
const LONG = { timeoutMs: 45 * 60_000 };
const run = promisify(execFile);
let daemon: Libvirtd | undefined;

test.after.always(async () => {
  await daemon?.stop();
});

function scenario(name: string, provider: string): string {
  return `name: ${name}
defaults:
  image: ignition
  memory: 768MiB
  provider: ${provider}
  login: { password: atomic }
vms:
  - name: host1
    hostname: ign-one.lab.test
    ignition:
      storage:
        files:
          - path: /etc/motd
            mode: 0640
            overwrite: true
            contents: { inline: "from the scenario\\n" }
`;
}

interface Report {
  vms: { name: string; provider: string; state: string; login: { verified: boolean; methods: string[]; hostKey?: string } }[];
}

/** up → verified login (key and password, pinned host key) → what Ignition wrote, checked in the guest → down leaves nothing. */
async function ignitionRoundTrip(t: ExecutionContext, options: { lab: string; provider: string; expect: string; during?: () => Promise<void> }): Promise<void> {
  const { dir, file } = await labDir(scenario(options.lab, options.provider));
  try {
    const up = await runCli(['up', file, '--json'], LONG);
    t.is(up.exitCode, 0, up.stderr);
    const vm = (JSON.parse(up.stdout) as Report).vms[0]!;
    t.is(vm.provider, options.expect);
    t.true(vm.login.verified);
    t.deepEqual(vm.login.methods, ['key', 'password']);
    const ssh = (command: string) => runCli(['ssh', 'host1', '-s', file, '--', command], LONG);
    t.is((await ssh('hostname')).stdout.trim(), 'ign-one.lab.test');
    t.regex((await ssh('sudo -n cat /etc/.ignition-result.json')).stdout, /"userConfigProvided":\s*true/);
    t.is((await ssh('stat -c %a /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub /etc/motd')).stdout.trim().split('\n').join(' '), '600 644 640');
    t.is((await ssh('sudo -n cat /etc/motd')).stdout, 'from the scenario\n', 'the fragment\'s file, read through passwordless sudo from /etc/sudoers.d');
    t.regex((await ssh('sudo -n journalctl -b -o cat _COMM=ignition')).stdout, /files: createResultFile/, 'Ignition\'s own log of its files stage');
    t.notRegex((await ssh('cat /boot/extlinux/extlinux.conf')).stdout, /ignition\.firstboot/, 'later boots do not run Ignition again');
    await options.during?.();
  } finally {
    const down = await runCli(['down', file], LONG);
    t.is(down.exitCode, 0, down.stderr);
    t.deepEqual(await processesMentioning(dir), []);
  }
}

(asked ? test.serial : test.skip)('qemu: Ignition in the initramfs reads the fw_cfg config: key, password, pinned host key, hostname, files with modes', async (t) => {
  await ignitionRoundTrip(t, { lab: 'ign-guest', provider: 'qemu', expect: 'qemu' });
});

/** The defined domain's XML, as libvirt keeps it: judged by virt-xml-validate, with the fw_cfg entry. */
async function checkDomainXml(t: ExecutionContext, uri: string, lab: string): Promise<void> {
  const { stdout: names } = await run('virsh', ['-c', uri, 'list', '--all', '--name']);
  const domain = names.split('\n').map((name) => name.trim()).find((name) => name.includes(lab));
  if (!domain) return t.fail(`no libvirt domain for ${lab}`);
  const { stdout: xml } = await run('virsh', ['-c', uri, 'dumpxml', domain]);
  t.regex(xml, /<sysinfo type=['"]fwcfg['"]>\s*<entry name=['"]opt\/com\.coreos\/config['"] file=['"][^'"]+\.ign['"]\/>/);
  const { dir } = await labDir('');
  const path = join(dir, 'domain.xml');
  await writeFile(path, xml);
  await t.notThrowsAsync(run('virt-xml-validate', [path, 'domain']), 'virt-xml-validate accepts the domain libvirt defined');
}

(asked ? test.serial : test.skip)('libvirt: the same guest with the config as <sysinfo type="fwcfg">, on a real libvirtd', async (t) => {
  daemon = await ensureLibvirtd();
  const lab = 'ign-guest-libvirt';
  await ignitionRoundTrip(t, { lab, provider: 'libvirt', expect: 'libvirt', during: () => checkDomainXml(t, daemon!.localUri, lab) });
});
