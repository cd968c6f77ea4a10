import test from 'ava';
import { DescribeInstanceAttributeCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../../lab/cidata/index.js';
import { AtomlabError } from '../../../lab/errors/index.js';
import type { VmRef } from '../../../lab/provider/index.js';
import { Ec2Client } from '../../../providers/ec2/ec2-client.js';
import { TEST_SECRET } from '../../fixtures/clouds/aws-env.js';
import { cloudInitConsole } from '../../fixtures/clouds/cloud-init-console.js';
import { ec2LabUp, ec2Provider, vmHostKey } from '../../fixtures/clouds/ec2-lab.js';
import type { FaultRule } from '../../fixtures/clouds/fault-proxy.js';
import { motoSession } from '../../fixtures/clouds/moto-session.js';
import { coreosConsole } from '../../fixtures/clouds/coreos-console.js';
import { ignitionSeed, ignitionValidateBytes, type IgnitionSeed } from '../../fixtures/ignition-seed.js';
import { vmPlan } from '../../fixtures/libvirt/vm-plan.js';

const aws = await motoSession(test);
const { missing } = aws;

const place = () => ({ endpoint: aws.proxy.endpoint, profile: aws.profile });
const provider = () => ec2Provider(place());
const hostKey = vmHostKey;
const labUp = (name: string, ami?: string, ignition?: IgnitionSeed) => ec2LabUp(place(), { name, ami, ignition });

function consoleIs(text: string): FaultRule {
  return { match: (seen) => seen.operation === 'GetConsoleOutput', action: { kind: 'rewrite', rewrite: (xml) => xml.replace(/<output>[^<]*<\/output>/, `<output>${Buffer.from(text).toString('base64')}</output>`) } };
}

test.serial('create, start, endpoint with the console\'s host key matching, stop, start, destroy; the state keeps no secret', async (t) => {
  if (missing) return t.pass(missing);
  const { ec2, ref, resources } = await labUp('prov1');
  t.is(await ec2.state(ref), 'running');
  t.false(JSON.stringify(ref).includes('PRIVATE KEY'), 'the VmRef holds no private key');
  t.false(JSON.stringify(ref).includes(TEST_SECRET));
  aws.proxy.rules.push(consoleIs(await cloudInitConsole([hostKey.publicKey], 'ec2: ')));
  const endpoint = await ec2.endpoint(ref);
  t.regex(endpoint.host, /^\d+\.\d+\.\d+\.\d+$/);
  t.is(endpoint.port, 22);
  await ec2.stop(ref);
  t.is(await ec2.state(ref), 'stopped');
  await ec2.start(ref);
  t.is(await ec2.state(ref), 'running');
  await ec2.destroy(ref);
  await ec2.teardownLab({ name: 'prov1', stateDir: '/tmp/prov1/.atomlab' }, resources);
  t.is(await ec2.state(ref), 'missing');
  t.deepEqual(await ec2.labResources({ name: 'prov1', stateDir: '/tmp/prov1/.atomlab' }), []);
});

test.serial('a console showing another host key is refused; moto\'s canned console (no keys) is not', async (t) => {
  if (missing) return t.pass(missing);
  const { ec2, ref, resources } = await labUp('prov2');
  t.regex((await ec2.endpoint(ref)).host, /\d/, 'moto\'s canned console prints no keys: nothing to compare');
  aws.proxy.rules.push(consoleIs(await cloudInitConsole([generateKeyPair('root@impostor').publicKey])));
  await t.throwsAsync(ec2.endpoint(ref), { instanceOf: AtomlabError, message: /vm1: the console shows host keys that are not the one atomlab gave it/ });
  await ec2.teardownLab({ name: 'prov2', stateDir: '/tmp/prov2/.atomlab' }, resources);
});

test.serial('seed: ignition: the instance\'s user-data (DescribeInstanceAttribute) is the Ignition config cidata writes, which ignition-validate accepts; its host key is pinned against the login prompt\'s fingerprints', async (t) => {
  if (missing) return t.pass(missing);
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-ec2-ignition-'));
  const seed = await ignitionSeed(dir, vmPlan({ lab: 'ign1', name: 'vm1', provider: { name: 'ec2', options: {} } }));
  const { ec2, ref, resources } = await labUp('ign1', undefined, seed);
  const instanceId = (ref.data as { instanceId: string }).instanceId;
  const attribute = await new EC2Client({ region: 'us-east-1', profile: aws.profile, endpoint: aws.moto.endpoint }).send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'userData' }));
  const userDataBytes = Buffer.from(attribute.UserData?.Value ?? '', 'base64');
  t.true(userDataBytes.equals(seed.expected), 'byte for byte what atomlab cidata --format ignition writes');
  const judged = await ignitionValidateBytes(userDataBytes, dir);
  t.true(judged.ok, judged.output);
  t.is((ref.data as { hostKey?: string }).hostKey, seed.hostKey, 'the pin is the host key the config writes');

  t.regex((await ec2.endpoint(ref)).host, /\d/, 'moto\'s canned console shows no keys: the SSH login alone pins the key');
  aws.proxy.rules.push(consoleIs(await coreosConsole([seed.hostPair])));
  t.regex((await ec2.endpoint(ref)).host, /\d/, 'the login prompt shows the pinned key\'s fingerprint');
  aws.proxy.rules.length = 0;
  aws.proxy.rules.push(consoleIs(await coreosConsole([generateKeyPair('root@impostor')])));
  const refused = await t.throwsAsync(ec2.endpoint(ref), { instanceOf: AtomlabError });
  t.regex(refused.message, /vm1: the console shows host keys that are not the one atomlab gave it \(SHA256:/);
  aws.proxy.rules.length = 0;
  await ec2.teardownLab({ name: 'ign1', stateDir: '/tmp/ign1/.atomlab' }, resources);
});

const awsError = (code: string, message: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>req-atomlab-1</RequestID></Response>`;

test.serial('expired credentials: probe says unavailable and why; lab preparation fails clearly; no secret in the error', async (t) => {
  if (missing) return t.pass(missing);
  const ec2 = await provider();
  aws.proxy.rules.push({ match: (seen) => seen.operation === 'GetCallerIdentity' || seen.operation === 'DescribeKeyPairs', action: { kind: 'answer', status: 403, body: awsError('ExpiredToken', 'The security token included in the request is expired') }, times: 2 });
  const probe = await ec2.probe();
  t.false(probe.available);
  t.regex(probe.reason ?? '', /AWS refused the credentials \(GetCallerIdentity: ExpiredToken/);
  const error = await t.throwsAsync(ec2.prepareLab({ name: 'exp', stateDir: '/tmp/exp', publicKey: generateKeyPair('lab').publicKey, vms: [] }, async () => undefined), { instanceOf: AtomlabError });
  t.regex(error.hint ?? '', /aws sso login/);
  t.is(error.context.awsCode, 'ExpiredToken');
  t.false(JSON.stringify(error.toJSON()).includes(TEST_SECRET));
});

test.serial('quota exceeded at RunInstances: a clear error; down removes what the lab made', async (t) => {
  if (missing) return t.pass(missing);
  aws.proxy.rules.push({ match: (seen) => seen.operation === 'RunInstances', action: { kind: 'answer', status: 400, body: awsError('InstanceLimitExceeded', 'You have requested more instances (21) than your current instance limit of 20 allows') }, times: 1 });
  const error = await t.throwsAsync(labUp('quota'), { instanceOf: AtomlabError });
  t.regex(error.message, /^AWS quota reached \(RunInstances: InstanceLimitExceeded/);
  t.regex(error.hint ?? '', /Service Quotas/);
  const ec2 = await provider();
  await ec2.teardownLab({ name: 'quota', stateDir: '/tmp/quota/.atomlab' }, []);
  t.deepEqual(await ec2.labResources({ name: 'quota', stateDir: '/tmp/quota/.atomlab' }), []);
});

test.serial('a rate limit with Retry-After is waited out by the SDK; one that persists is a clear error', async (t) => {
  if (missing) return t.pass(missing);
  const ec2 = await provider();
  const throttle = (times: number): FaultRule => ({ match: (seen) => seen.operation === 'DescribeKeyPairs', action: { kind: 'answer', status: 503, headers: { 'retry-after': '1' }, body: awsError('RequestLimitExceeded', 'Request limit exceeded.') }, times });
  aws.proxy.rules.push(throttle(1));
  const before = aws.proxy.count('DescribeKeyPairs');
  await ec2.prepareLab({ name: 'rate', stateDir: '/tmp/rate', publicKey: generateKeyPair('lab').publicKey, vms: [] }, async () => undefined);
  t.is(aws.proxy.count('DescribeKeyPairs') - before, 2, 'answered 503 once, then retried');
  aws.proxy.rules.push(throttle(100));
  const error = await t.throwsAsync(ec2.labResources({ name: 'rate', stateDir: '/tmp/rate' }), { instanceOf: AtomlabError });
  t.regex(error.message, /AWS kept throttling the requests after 4 attempts/);
  aws.proxy.rules.length = 0;
  await ec2.teardownLab({ name: 'rate', stateDir: '/tmp/rate' }, []);
});

const lab = (name: string) => ({ name, stateDir: `/tmp/${name}/.atomlab` });

async function instanceOf(ref: VmRef) {
  const client = new Ec2Client({ region: 'us-east-1', profile: aws.profile, endpoint: aws.moto.endpoint });
  const [instance] = await client.instances({ ids: [(ref.data as { instanceId: string }).instanceId] });
  return instance!;
}

test.serial('image: {ami: …} boots that AMI, uploading nothing; an AMI not in the region is refused before any launch', async (t) => {
  if (missing) return t.pass(missing);
  const first = await labUp('ami1');
  const ami = (await instanceOf(first.ref)).ImageId!;
  const starts = aws.proxy.count('POST /snapshots');
  const named = await labUp('ami2', ami);
  t.is(aws.proxy.count('POST /snapshots'), starts, 'nothing uploaded');
  t.is((await instanceOf(named.ref)).ImageId, ami);
  const launches = aws.proxy.count('RunInstances');
  const error = await t.throwsAsync(labUp('ami3', 'ami-0123456789abcdef0'), { instanceOf: AtomlabError });
  t.regex(error.message, /^vm1: AMI ami-0123456789abcdef0 is not in us-east-1/);
  t.regex(error.hint ?? '', /AMI ids differ per region/);
  t.is(aws.proxy.count('RunInstances'), launches, 'no instance launched');
  for (const name of ['ami1', 'ami2', 'ami3']) await first.ec2.removeLabResources(lab(name));
  t.deepEqual(await first.ec2.labResources(lab('ami2')), []);
});

test.serial('snapshots of the root volume: taken, listed, deleted, and removed with the lab by tag; revert to an unknown name is refused', async (t) => {
  if (missing) return t.pass(missing);
  const { ec2, ref } = await labUp('snap1');
  await ec2.snapshot(ref, 'before');
  await ec2.snapshot(ref, 'after');
  t.deepEqual((await ec2.listSnapshots(ref)).sort(), ['after', 'before']);
  await t.throwsAsync(ec2.snapshot(ref, 'before'), { message: 'vm1 already has a snapshot named before' });
  const stops = aws.proxy.count('StopInstances');
  const revert = await t.throwsAsync(ec2.revert(ref, 'never'), { instanceOf: AtomlabError, message: 'vm1 has no snapshot named never' });
  t.is(revert.code, 'BAD_INPUT');
  t.is(aws.proxy.count('StopInstances'), stops, 'the instance was not touched');
  await ec2.deleteSnapshot(ref, 'after');
  t.deepEqual(await ec2.listSnapshots(ref), ['before']);
  await t.throwsAsync(ec2.deleteSnapshot(ref, 'after'), { message: 'vm1 has no snapshot named after' });
  const tagged = await ec2.labResources(lab('snap1'));
  t.deepEqual(tagged.map((r) => r.kind).sort(), ['instance', 'key-pair', 'security-group', 'snapshot']);
  const removed = await ec2.removeLabResources(lab('snap1'));
  t.deepEqual(removed.map((r) => r.kind).sort(), ['instance', 'key-pair', 'security-group', 'snapshot']);
  t.deepEqual(await ec2.labResources(lab('snap1')), [], 'nothing billable left');
  t.deepEqual(await ec2.removeLabResources(lab('snap1')), [], 'idempotent');
});
