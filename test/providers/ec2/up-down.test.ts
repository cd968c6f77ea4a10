import test from 'ava';
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Ec2Client } from '../../../providers/ec2/ec2-client.js';
import { TEST_SECRET } from '../../fixtures/clouds/aws-env.js';
import { motoSession } from '../../fixtures/clouds/moto-session.js';
import { rawDiskCloudLab } from '../../helpers/cloud-lab.js';
import { labDir } from '../../helpers/lab.js';
import { BIN, runCli } from '../../helpers/run-cli.js';

const aws = await motoSession(test);
const { missing } = aws;

const env = () => aws.env();

const ec2Lab = (name: string) => rawDiskCloudLab(name, `{name: ec2, region: us-east-1, endpoint: "${aws.proxy.endpoint}", sshFrom: 198.51.100.7/32, instanceType: t3.micro}`);

const client = () => new Ec2Client({ region: 'us-east-1', profile: aws.profile, endpoint: aws.moto.endpoint });

async function tagged(name: string) {
  const instances = (await client().instances({ tags: { atomlab: 'lab' } })).filter((i) => i.Tags?.some((tag) => tag.Key === 'atomlab:lab' && tag.Value?.startsWith(`${name}.`)) && i.State?.Name !== 'terminated');
  const groups = (await client().securityGroups({ tags: { atomlab: 'lab' } })).filter((g) => g.name.startsWith(`atomlab-${name}.`));
  const pairs = (await client().keyPairs({ atomlab: 'lab' })).filter((p) => p.name.startsWith(`atomlab-${name}.`));
  return { instances: instances.length, groups: groups.length, pairs: pairs.length };
}

test.serial('up without a terminal and without --yes refuses before creating anything billable', async (t) => {
  if (missing) return t.pass(missing);
  const lab = await ec2Lab('refused');
  const before = aws.proxy.seen.length;
  const result = await runCli(['up', lab.file], { env: env(), timeoutMs: 120_000 });
  t.is(result.exitCode, 2, result.stderr);
  t.regex(result.stderr, /This creates resources that cost money[\s\S]*refused on ec2: 1 VM\(s\): host1 \(1 CPU/);
  t.regex(result.stderr, /refusing to create billable cloud resources without a terminal to ask[\s\S]*--yes/);
  t.is(aws.proxy.seen.length, before, 'not one AWS call');
});

test.serial('at a terminal up states what it will create and asks; answering no creates nothing', async (t) => {
  if (missing) return t.pass(missing);
  const lab = await labDir(`name: asked\ndefaults:\n  provider: {name: ec2, region: us-east-1, endpoint: "${aws.proxy.endpoint}", sshFrom: 198.51.100.7/32}\n  image: {ami: ami-0abc1234}\nvms:\n  - name: host1\n`);
  const before = aws.proxy.seen.length;
  // script(1) (util-linux) runs the CLI on a pseudo-terminal, as a person at a terminal would
  const up = execa('script', ['-qec', `${process.execPath} ${BIN} up ${lab.file}`, '/dev/null'], { env: env(), reject: false });
  let screen = '';
  let answered = false;
  up.stdout!.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
    if (answered || !screen.includes('Create them?')) return;
    answered = true;
    up.stdin!.write('n\r');
  });
  const result = await up;
  t.is(result.exitCode, 2, screen);
  t.regex(screen, /This creates resources that cost money until atomlab down removes them:\r?\n {2}- asked on ec2: 1 VM\(s\): host1 \(1 CPU, 1024 MiB\); the lab's network access rules and key\r?\n/, 'an AMI named as the image: nothing to upload, so none announced');
  t.regex(screen, /nothing created: the billable resources were declined/);
  t.is(aws.proxy.seen.length, before, 'not one AWS call');
});

/** `up --yes` killed with SIGKILL while RunInstances is answered by moto but never by atomlab: the instance exists, its id is in no state. */
async function killedUp(name: string) {
  const lab = await ec2Lab(name);
  aws.proxy.rules.push({ match: (seen) => seen.operation === 'RunInstances', action: { kind: 'hold' }, times: 1 });
  const up = execa(process.execPath, [BIN, 'up', '--yes', lab.file], { env: env(), reject: false, input: '' });
  while ((await tagged(name)).instances === 0 && up.exitCode === null) await sleep(100);
  const launched = await tagged(name);
  up.kill('SIGKILL');
  return { lab, launched, killed: await up };
}

interface StatusJson {
  untracked?: { provider: string; resources: { kind: string; id: string; state?: string }[]; error?: string }[];
}

async function status(file: string): Promise<{ json: StatusJson; text: string }> {
  const json = await runCli(['status', '--json', file], { env: env(), timeoutMs: 120_000 });
  const text = await runCli(['status', file], { env: env(), timeoutMs: 120_000 });
  if (json.exitCode !== 0 || text.exitCode !== 0) throw new Error(`status failed: ${json.stderr}${text.stderr}`);
  return { json: JSON.parse(json.stdout) as StatusJson, text: text.stdout };
}

const instanceIds = async (name: string) => (await client().instances({ tags: { atomlab: 'lab' } })).filter((i) => i.Tags?.some((tag) => tag.Key === 'atomlab:lab' && tag.Value?.startsWith(`${name}.`)) && i.State?.Name !== 'terminated').map((i) => i.InstanceId!);

test.serial('after a SIGKILLed up, status lists the instance the state never heard of; down removes it, the group and the key pair, found by tag', async (t) => {
  if (missing) return t.pass(missing);
  t.timeout(5 * 60_000);
  const { lab, launched, killed } = await killedUp('killed');
  t.is(killed.signal, 'SIGKILL', killed.stderr);
  t.deepEqual(launched, { instances: 1, groups: 1, pairs: 1 }, 'moto made the instance; atomlab never heard its id');
  const images = await client().images({ tags: { atomlab: 'image' } });
  t.is(images.length, 1, 'the image went up through EBS direct APIs and was registered');
  const [instance] = await instanceIds('killed');
  const before = await status(lab.file);
  t.deepEqual(before.json.untracked, [{ provider: 'ec2', resources: [{ kind: 'instance', id: instance!, state: 'running' }] }], 'the group and key pair are in the state; the instance is not');
  t.regex(before.text, new RegExp(`in the cloud with this lab's tag, not in its state \\(atomlab down removes them\\):\\n {2}ec2 instance ${instance} \\(running\\)`));
  const down = await runCli(['down', lab.file], { env: env(), timeoutMs: 180_000 });
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual(await tagged('killed'), { instances: 0, groups: 0, pairs: 0 });
  t.is((await status(lab.file)).json.untracked, undefined, 'nothing left to list');
  t.false(`${killed.stdout}${killed.stderr}${down.stdout}${down.stderr}`.includes(TEST_SECRET), 'no secret in any output');
});

test.serial('with its state file lost, a killed lab\'s instance, group and key pair are listed by status and removed by down through the provider\'s inventory', async (t) => {
  if (missing) return t.pass(missing);
  t.timeout(5 * 60_000);
  const { lab } = await killedUp('lost');
  await rm(join(lab.dir, '.atomlab', 'state.json'));
  const [instance] = await instanceIds('lost');
  const listed = (await status(lab.file)).json.untracked ?? [];
  t.deepEqual(listed.map((report) => report.provider), ['ec2']);
  t.deepEqual(listed[0]!.resources.map((r) => `${r.kind} ${r.id}`).sort(), [`instance ${instance}`, `key-pair atomlab-${labTagOf(listed)}`, `security-group atomlab-${labTagOf(listed)}`].sort());
  const down = await runCli(['down', '--json', lab.file], { env: env(), timeoutMs: 180_000 });
  t.is(down.exitCode, 0, down.stderr);
  t.regex(down.stderr, new RegExp(`removed ec2 instance ${instance}, found by the lab's tag`));
  const result = JSON.parse(down.stdout) as { removed: string[]; tagged: { lab: string; provider: string; resources: { kind: string }[] }[] };
  t.deepEqual(result.removed, []);
  t.deepEqual(result.tagged.map((report) => [report.lab, report.provider, report.resources.map((r) => r.kind).sort()]), [['lost', 'ec2', ['instance', 'key-pair', 'security-group']]]);
  t.deepEqual(await tagged('lost'), { instances: 0, groups: 0, pairs: 0 });
  const again = await runCli(['down', '--json', lab.file], { env: env(), timeoutMs: 180_000 });
  t.deepEqual(JSON.parse(again.stdout), { removed: [], tagged: [] }, 'a second down has nothing to do');
});

/** The lab tag's value, read back from the key pair's name status listed. */
function labTagOf(listed: NonNullable<StatusJson['untracked']>): string {
  return listed[0]!.resources.find((r) => r.kind === 'key-pair')!.id.replace(/^atomlab-/, '');
}

test.serial('down --images removes every image atomlab uploaded to the region and says which; a second time there is none', async (t) => {
  if (missing) return t.pass(missing);
  const lab = await ec2Lab('images');
  const uploaded = await client().images({ tags: { atomlab: 'image' } });
  t.true(uploaded.length >= 1, 'the killed labs uploaded their images');
  const down = await runCli(['down', '--images', '--json', lab.file], { env: env(), timeoutMs: 180_000 });
  t.is(down.exitCode, 0, down.stderr);
  for (const image of uploaded) t.regex(down.stderr, new RegExp(`removed ec2 image ${image.ImageId}\n`));
  const result = JSON.parse(down.stdout) as { images: { provider: string; resources: { kind: string; id: string }[] }[] };
  t.deepEqual(result.images.flatMap((report) => report.resources.filter((r) => r.kind === 'image').map((r) => r.id)).sort(), uploaded.map((image) => image.ImageId!).sort());
  t.deepEqual(await client().images({ tags: { atomlab: 'image' } }), []);
  t.deepEqual(await client().snapshots({ atomlab: 'image' }), []);
  const again = await runCli(['down', '--images', lab.file], { env: env(), timeoutMs: 180_000 });
  t.is(again.exitCode, 0, again.stderr);
  t.regex(again.stderr, /no uploaded images to remove/);
});
