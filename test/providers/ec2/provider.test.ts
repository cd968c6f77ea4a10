import test from 'ava';
import { randomBytes, createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateKeyPair } from '../../../lab/cidata/index.js';
import { AtomlabError } from '../../../lab/errors/index.js';
import type { LabResource, VmRef } from '../../../lab/provider/index.js';
import { Ec2Provider } from '../../../providers/ec2/provider.js';
import { resolveEc2Options } from '../../../providers/ec2/options.js';
import { TEST_SECRET } from '../../fixtures/clouds/aws-env.js';
import { cloudInitConsole } from '../../fixtures/clouds/cloud-init-console.js';
import type { FaultRule } from '../../fixtures/clouds/fault-proxy.js';
import { motoSession } from '../../fixtures/clouds/moto-session.js';
import { vmPlan } from '../../fixtures/libvirt/vm-plan.js';

const aws = await motoSession(test);
const { missing } = aws;

async function provider(): Promise<Ec2Provider> {
  const options = resolveEc2Options({ region: 'us-east-1', profile: aws.profile, endpoint: aws.proxy.endpoint, sshFrom: '198.51.100.7/32', instanceType: 't3.micro' });
  return new Ec2Provider({ ...options, pollMs: 10, uploadsDir: await mkdtemp(join(tmpdir(), 'atomlab-uploads-')) });
}

const hostKey = generateKeyPair('root@vm1');
const userData = `#cloud-config\n${stringify({ hostname: 'vm1', ssh_keys: { ed25519_private: hostKey.privateKey, ed25519_public: hostKey.publicKey } })}`;

async function rawBase(): Promise<{ path: string; format: 'raw'; digest: string; virtualBytes: number }> {
  const path = join(await mkdtemp(join(tmpdir(), 'atomlab-base-')), 'disk.raw');
  const data = Buffer.concat([randomBytes(300 * 1024), Buffer.alloc(1024 * 1024)]);
  await writeFile(path, data);
  return { path, format: 'raw', digest: createHash('sha256').update(data).digest('hex'), virtualBytes: data.length };
}

async function labUp(name: string): Promise<{ ec2: Ec2Provider; ref: VmRef; resources: LabResource[] }> {
  const ec2 = await provider();
  const resources: LabResource[] = [];
  const plan = vmPlan({ lab: name, name: 'vm1', provider: { name: 'ec2', options: {} }, seed: 'userdata' });
  await ec2.prepareLab({ name, stateDir: `/tmp/${name}/.atomlab`, publicKey: generateKeyPair('lab').publicKey, vms: [plan] }, async (r) => void resources.push(r));
  const ref = await ec2.create({ plan, dir: '/nonexistent', consoleLog: '/nonexistent', base: await rawBase(), seed: { kind: 'userdata', transport: 'userdata', text: userData }, labResources: resources });
  await ec2.start(ref);
  return { ec2, ref, resources };
}

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
