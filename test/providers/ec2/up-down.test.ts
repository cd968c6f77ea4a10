import test from 'ava';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Ec2Client } from '../../../providers/ec2/ec2-client.js';
import { TEST_SECRET } from '../../fixtures/clouds/aws-env.js';
import { motoSession } from '../../fixtures/clouds/moto-session.js';
import { labDir } from '../../helpers/lab.js';
import { BIN, runCli } from '../../helpers/run-cli.js';

const aws = await motoSession(test);
const { missing } = aws;

const env = () => aws.env();

async function ec2Lab(name: string): Promise<{ dir: string; file: string }> {
  const lab = await labDir(
    [
      `name: ${name}`,
      'defaults:',
      `  provider: {name: ec2, region: us-east-1, endpoint: "${aws.proxy.endpoint}", sshFrom: 198.51.100.7/32, instanceType: t3.micro}`,
      '  image: {path: disk.raw, format: raw, verify: false, user: fedora}',
      'vms:',
      '  - name: host1',
      '    ports: {"9090": auto}',
      '',
    ].join('\n'),
  );
  await writeFile(join(lab.dir, 'disk.raw'), Buffer.concat([randomBytes(600 * 1024), Buffer.alloc(2 * 1024 * 1024)]));
  return lab;
}

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

test.serial('down after a SIGKILLed up removes the instance it never recorded, the group and the key pair, found by tag', async (t) => {
  if (missing) return t.pass(missing);
  t.timeout(5 * 60_000);
  const lab = await ec2Lab('killed');
  aws.proxy.rules.push({ match: (seen) => seen.operation === 'RunInstances', action: { kind: 'hold' }, times: 1 });
  const up = execa(process.execPath, [BIN, 'up', '--yes', lab.file], { env: env(), reject: false, input: '' });
  while (aws.proxy.count('RunInstances') === 0 && up.exitCode === null) await sleep(100);
  await sleep(500);
  const launched = await tagged('killed');
  up.kill('SIGKILL');
  const killed = await up;
  t.is(killed.signal, 'SIGKILL', killed.stderr);
  t.deepEqual(launched, { instances: 1, groups: 1, pairs: 1 }, 'moto made the instance; atomlab never heard its id');
  const images = await client().images({ tags: { atomlab: 'image' } });
  t.is(images.length, 1, 'the image went up through EBS direct APIs and was registered');
  const down = await runCli(['down', lab.file], { env: env(), timeoutMs: 180_000 });
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual(await tagged('killed'), { instances: 0, groups: 0, pairs: 0 });
  t.false(`${killed.stdout}${killed.stderr}${down.stdout}${down.stderr}`.includes(TEST_SECRET), 'no secret in any output');
});
