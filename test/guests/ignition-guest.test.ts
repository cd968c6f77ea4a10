import test from 'ava';
import { runCli } from '../helpers/run-cli.js';
import { labDir, processesMentioning } from '../helpers/lab.js';

// The real Ignition (Debian's, in a dracut initramfs) configures the `ignition` test guest from
// atomlab's fw_cfg seed. Building that guest (mmdebstrap + dracut) and booting systemd twice under
// TCG takes far longer than npm test's budget: opt in with `npm run test:ignition-guest`.
const asked = process.env.ATOMLAB_IGNITION_GUEST === '1';
const LONG = { timeoutMs: 40 * 60_000 };

const SCENARIO = `name: ign-guest
defaults:
  image: ignition
  memory: 768MiB
  login: { password: atomic }
vms:
  - name: host1
    hostname: ign-one.lab.test
    ignition:
      storage:
        files:
          - path: /etc/motd
            mode: 0640
            contents: { inline: "from the scenario\\n" }
`;

interface Report {
  vms: { name: string; state: string; login: { verified: boolean; methods: string[]; hostKey?: string } }[];
}

(asked ? test.serial : test.skip)('Ignition in the initramfs reads the fw_cfg config: key, password, pinned host key, hostname, files with modes', async (t) => {
  const { dir, file } = await labDir(SCENARIO);
  try {
    const up = await runCli(['up', file, '--json'], LONG);
    t.is(up.exitCode, 0, up.stderr);
    const vm = (JSON.parse(up.stdout) as Report).vms[0]!;
    t.true(vm.login.verified);
    t.deepEqual(vm.login.methods, ['key', 'password']);
    const ssh = (command: string) => runCli(['ssh', 'host1', '-s', file, '--', command], LONG);
    t.is((await ssh('hostname')).stdout.trim(), 'ign-one.lab.test');
    t.regex((await ssh('cat /etc/.ignition-result.json')).stdout, /"userConfigProvided":\s*true/);
    t.is((await ssh('stat -c %a /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub /etc/motd')).stdout.trim().split('\n').join(' '), '600 644 640');
    t.is((await ssh('cat /etc/motd')).stdout, 'from the scenario\n');
    t.is((await ssh('sudo -n true')).exitCode, 0, 'passwordless sudo from /etc/sudoers.d');
    t.notRegex((await ssh('cat /boot/extlinux/extlinux.conf')).stdout, /ignition\.firstboot/, 'later boots do not run Ignition again');
  } finally {
    const down = await runCli(['down', file], LONG);
    t.is(down.exitCode, 0, down.stderr);
    t.deepEqual(await processesMentioning(dir), []);
  }
});
