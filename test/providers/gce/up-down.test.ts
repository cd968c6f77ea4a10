import test from 'ava';
import { execa } from 'execa';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { testCredentials, type TestCredentials } from '../../fixtures/clouds/gce-adc.js';
import { startGceRecorder, type GceRecorder } from '../../fixtures/clouds/gce-recorder.js';
import { rawDiskCloudLab } from '../../helpers/cloud-lab.js';
import { BIN, runCli } from '../../helpers/run-cli.js';

let recorder: GceRecorder;
let credentials: TestCredentials;
let home: string;

test.before(async () => {
  recorder = await startGceRecorder();
  credentials = await testCredentials(recorder);
  home = await mkdtemp(join(tmpdir(), 'atomlab-gce-home-'));
});
test.after.always(async () => {
  await recorder?.close();
});

const env = () => ({ ...process.env, ...credentials.env, ATOMLAB_HOME: home }) as Record<string, string>;

const gceLab = (name: string) => rawDiskCloudLab(name, `{name: gce, project: ${credentials.project}, zone: europe-west1-b, endpoint: "${recorder.endpoint}", sshFrom: 198.51.100.7/32, machineType: e2-small}`);

/** What the project holds for a lab (by the lab name in labels and names), as `down` must leave it: nothing. */
function leftOf(name: string): { instances: number; firewalls: number } {
  const instances = [...recorder.instances.values()].filter((instance) => String(instance.body.labels['atomlab-lab']).startsWith(`${name}-`)).length;
  const firewalls = [...recorder.firewalls.keys()].filter((firewall) => firewall.startsWith(`atomlab-${name}-`)).length;
  return { instances, firewalls };
}

test.serial('up without a terminal and without --yes refuses before creating anything billable', async (t) => {
  const lab = await gceLab('refused');
  const before = recorder.seen.length;
  const result = await runCli(['up', lab.file], { env: env(), timeoutMs: 120_000 });
  t.is(result.exitCode, 2, result.stderr);
  t.regex(result.stderr, /This creates resources that cost money[\s\S]*on gce: 1 VM\(s\): host1/);
  t.regex(result.stderr, /refusing to create billable cloud resources without a terminal to ask[\s\S]*--yes/);
  t.is(recorder.seen.length, before, 'not one Google call');
});

test.serial('down after a SIGKILLed up removes the instance it never heard of and the firewall rule, found by label and name', async (t) => {
  t.timeout(5 * 60_000);
  const lab = await gceLab('killed');
  recorder.rules.push({ match: (seen) => seen.operation === 'instances.insert', action: { kind: 'hold' }, times: 1 });
  const up = execa(process.execPath, [BIN, 'up', '--yes', lab.file], { env: env(), reject: false, input: '' });
  while (recorder.count('instances.insert') === 0 && up.exitCode === null) await sleep(100);
  await sleep(300);
  const made = leftOf('killed');
  up.kill('SIGKILL');
  const killed = await up;
  t.is(killed.signal, 'SIGKILL', killed.stderr);
  t.deepEqual(made, { instances: 1, firewalls: 1 }, 'GCE made the instance; atomlab never heard back');
  t.is(recorder.images.size, 1, 'the image went up through Cloud Storage and images.insert');
  t.regex(killed.stderr, /uploading image to Cloud Storage: [\d.]+\/[\d.]+ MiB, ETA/);
  const down = await runCli(['down', lab.file], { env: env(), timeoutMs: 180_000 });
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual(leftOf('killed'), { instances: 0, firewalls: 0 });
  t.false(`${killed.stdout}${killed.stderr}${down.stdout}${down.stderr}`.includes(credentials.secret), 'no secret in any output');
  t.deepEqual(recorder.violations, []);
});
