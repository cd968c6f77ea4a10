import test from 'ava';
import { loadScenario } from '../../lab/scenario/index.js';
import { providers } from '../../providers/registry.js';
import { labDir } from '../helpers/lab.js';
import { runCli } from '../helpers/run-cli.js';

/** `image: {ami: …}`, `{glance: …}`, `{gce: …}`: an image already in a cloud, checked by `validate` at its line:col. */
async function validate(lines: string[]): Promise<{ exitCode: number; problems: string[] }> {
  const lab = await labDir([...lines, ''].join('\n'));
  const result = await runCli(['validate', lab.file]);
  return { exitCode: result.exitCode, problems: result.stderr.trim().split('\n').map((line) => line.replace(`${lab.file}:`, '')) };
}

test('a malformed cloud image id is pointed at, per kind', async (t) => {
  const result = await validate([
    'name: ids',
    'defaults: {provider: {name: ec2, region: eu-central-1}}',
    'vms:',
    '  - {name: a, image: {ami: ubuntu-22.04}}',
    '  - {name: b, image: {glance: cirros}}',
    '  - {name: c, image: {gce: Debian_12}}',
  ]);
  t.is(result.exitCode, 2);
  t.deepEqual(result.problems, [
    '4:28: vms[0].image.ami: must be an AMI id such as ami-0abc1234def567890, got "ubuntu-22.04"',
    '5:31: vms[1].image.glance: must be a Glance image id (a UUID such as 5f1c2a3e-8b9d-4c1e-9f0a-1b2c3d4e5f60), got "cirros"',
    '6:28: vms[2].image.gce: must be a GCE image: NAME, family/NAME or projects/PROJECT/global/images/[family/]NAME, got "Debian_12"',
  ]);
});

test('a provider that cannot boot the kind refuses at the image\'s line:col, naming the VM and who can', async (t) => {
  const result = await validate([
    'name: kinds',
    'defaults:',
    '  image: {ami: ami-0abc1234def567890}',
    'vms:',
    '  - {name: here, provider: qemu}',
    '  - {name: there, provider: {name: ec2, region: eu-central-1}}',
    '  - name: stack',
    '    provider: {name: ec2, region: eu-central-1}',
    '    image: {glance: 5f1c2a3e-8b9d-4c1e-9f0a-1b2c3d4e5f60}',
  ]);
  t.is(result.exitCode, 2);
  t.is(result.problems.length, 2, result.problems.join('\n'));
  t.is(result.problems[0], '3:16: defaults.image.ami: VM "here" uses provider qemu, which cannot boot EC2 AMI ami-0abc1234def567890: only ec2 can; give it an image file (url, path or a catalog id)');
  t.regex(result.problems[1]!, /^9:21: vms\[2\]\.image\.glance: VM "stack" uses provider ec2, which cannot boot Glance image 5f1c2a3e-8b9d-4c1e-9f0a-1b2c3d4e5f60: (only openstack can|no provider of this atomlab can); give it an image file \(url, path or a catalog id\) or \{ami: …\}$/);
});

test('download keys beside a cloud image, and two clouds at once, are refused key by key', async (t) => {
  const result = await validate([
    'name: mixed',
    'defaults: {provider: {name: ec2, region: eu-central-1}}',
    'vms:',
    '  - name: a',
    '    image: {ami: ami-0abc1234, sha256: "0000000000000000000000000000000000000000000000000000000000000000", format: raw}',
    '  - name: b',
    '    image: {ami: ami-0abc1234, gce: debian-12}',
  ]);
  t.deepEqual(result.problems, [
    '5:40: vms[0].image.sha256: sha256 does not apply to an image already in a cloud (ami: nothing is downloaded or uploaded)',
    '5:116: vms[0].image.format: format does not apply to an image already in a cloud (ami: nothing is downloaded or uploaded)',
    '7:37: vms[1].image.gce: an image is in one cloud: give one of ami, gce',
  ]);
});

test('an AMI on ec2 plans as a cloud image: nothing to download, its user kept', async (t) => {
  const lab = await labDir('name: ok\nvms:\n  - name: a\n    provider: {name: ec2, region: eu-central-1}\n    image: {ami: ami-0abc1234def567890, user: ec2-user}\n');
  t.is((await runCli(['validate', lab.file])).exitCode, 0);
  const { plan } = await loadScenario(lab.file, { providers });
  const image = plan.vms[0]!.image;
  t.deepEqual(image.cloud, { kind: 'ami', id: 'ami-0abc1234def567890' });
  t.is(image.user, 'ec2-user');
  t.is(plan.vms[0]!.login.user, 'ec2-user');
  t.deepEqual([image.url, image.path, image.recipe, image.digest], [undefined, undefined, undefined, undefined]);
});
