import test from 'ava';
import { DescribeImagesCommand, DescribeInstanceAttributeCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AtomlabError } from '../../../lab/errors/index.js';
import { Ec2Client } from '../../../providers/ec2/ec2-client.js';
import { instanceAddress, launch, SIZED_FAMILIES, smallestFitting, waitInstance, USER_DATA_LIMIT } from '../../../providers/ec2/instances.js';
import { labResourceName, labTag, labTags, prepareEc2Lab, publicCidr, taggedResources, teardownEc2Lab, type Ec2Resource } from '../../../providers/ec2/lab-resources.js';
import { motoSession } from '../../fixtures/clouds/moto-session.js';
import { createServer } from 'node:http';

const aws = await motoSession(test);
const { missing } = aws;
const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMjwxRuBBFR46YEUXZWvQ6uN6a2w+dOWuBHCfqtmaU6V atomlab@lab';

const client = () => new Ec2Client({ region: 'us-east-1', profile: aws.profile, endpoint: aws.proxy.endpoint });

/** An AMI registered for these tests (moto does not boot it; asking for all of moto's is slow). */
let ami: string | undefined;
async function someAmi(): Promise<string> {
  if (ami) return ami;
  const ec2 = new EC2Client({ region: 'us-east-1', profile: aws.profile, endpoint: aws.moto.endpoint });
  const snapshot = await client().startSnapshot({ volumeGiB: 1, tags: {}, description: 'lab-flow', timeoutMinutes: 60 });
  ami = await client().registerImage({ name: 'lab-flow', snapshotId: snapshot, volumeType: 'gp3', tags: {} });
  await ec2.send(new DescribeImagesCommand({ ImageIds: [ami] }));
  return ami;
}

async function prepared(name: string, records: Ec2Resource[] = []): Promise<string> {
  const tag = labTag({ name, stateDir: `/tmp/${name}/.atomlab` });
  await prepareEc2Lab({ client: client(), tag, region: 'us-east-1', publicKey: PUBLIC_KEY, cidr: '198.51.100.7/32', vpcId: undefined, ports: [{ guest: 9090, protocol: 'tcp' }, { guest: 53, protocol: 'udp' }], record: async (r) => void records.push(r) });
  return tag;
}

test.serial('a lab gets a key pair from the lab key and a group open to one address for SSH and its ports; each recorded before it is made', async (t) => {
  if (missing) return t.pass(missing);
  const records: Ec2Resource[] = [];
  const opsAtRecord: number[] = [];
  const tag = labTag({ name: 'lab1', stateDir: '/tmp/lab1/.atomlab' });
  await prepareEc2Lab({
    client: client(), tag, region: 'us-east-1', publicKey: PUBLIC_KEY, cidr: '198.51.100.7/32', vpcId: undefined, ports: [{ guest: 9090, protocol: 'tcp' }],
    record: async (r) => {
      records.push(r);
      opsAtRecord.push(aws.proxy.count(/ImportKeyPair|CreateSecurityGroup/));
    },
  });
  t.deepEqual(records.map((r) => r.kind), ['key-pair', 'security-group']);
  t.deepEqual(opsAtRecord, [0, 1], 'each resource is recorded before the call that makes it');
  const [pair] = await client().keyPairs(labTags(tag));
  t.is(pair?.name, labResourceName(tag));
  const [group] = await client().securityGroups({ tags: labTags(tag) });
  const rules = group!.ingress.map((rule) => `${rule.IpProtocol}/${rule.FromPort} ${rule.IpRanges?.map((r) => r.CidrIp).join()}`).sort();
  t.deepEqual(rules, ['tcp/22 198.51.100.7/32', 'tcp/9090 198.51.100.7/32']);
  const before = aws.proxy.count(/ImportKeyPair|CreateSecurityGroup|AuthorizeSecurityGroupIngress/);
  await prepareEc2Lab({ client: client(), tag, region: 'us-east-1', publicKey: PUBLIC_KEY, cidr: '198.51.100.7/32', vpcId: undefined, ports: [{ guest: 9090, protocol: 'tcp' }], record: async () => undefined });
  t.is(aws.proxy.count(/ImportKeyPair|CreateSecurityGroup|AuthorizeSecurityGroupIngress/), before, 'a second up finds them again');
  await teardownEc2Lab({ client: client(), tag, pollMs: 10 });
  t.deepEqual(await taggedResources(client(), tag), []);
});

test.serial('an instance runs with base64 user-data, tagged with the lab, and is found and removed by tag', async (t) => {
  if (missing) return t.pass(missing);
  const tag = await prepared('lab2');
  const [group] = await client().securityGroups({ tags: labTags(tag) });
  const userData = '#cloud-config\nhostname: vm1\n';
  const id = await launch({ client: client(), vm: 'vm1', imageId: await someAmi(), instanceType: 't3.micro', keyName: labResourceName(tag), securityGroupId: group!.id, subnet: undefined, userData, volumeGiB: 8, tags: { ...labTags(tag), 'atomlab:vm': 'vm1' } });
  const running = await waitInstance({ client: client(), vm: 'vm1', instanceId: id, wanted: 'running', pollMs: 10 });
  t.regex(instanceAddress(running, 'public', 'vm1'), /^\d+\.\d+\.\d+\.\d+$/);
  t.regex(instanceAddress(running, 'private', 'vm1'), /^\d+\.\d+\.\d+\.\d+$/);
  const attribute = await new EC2Client({ region: 'us-east-1', profile: aws.profile, endpoint: aws.moto.endpoint }).send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'userData' }));
  t.is(Buffer.from(attribute.UserData!.Value!, 'base64').toString(), userData);
  t.deepEqual((await taggedResources(client(), tag)).map((r) => r.kind).sort(), ['instance', 'key-pair', 'security-group']);
  const removed = await teardownEc2Lab({ client: client(), tag, pollMs: 10 });
  t.true(removed.some((resource) => resource.kind === 'instance' && resource.id === id));
  t.deepEqual(await taggedResources(client(), tag), []);
  t.deepEqual(await teardownEc2Lab({ client: client(), tag, pollMs: 10 }), [], 'a second down has nothing to do');
});

test.serial('user-data over 16 KiB is refused before any call', async (t) => {
  const error = await t.throwsAsync(launch({ client: client(), vm: 'big', imageId: 'ami-1', instanceType: 't3.micro', keyName: 'k', securityGroupId: 'sg-1', subnet: undefined, userData: 'x'.repeat(USER_DATA_LIMIT + 1), volumeGiB: undefined, tags: {} }), { instanceOf: AtomlabError });
  t.is(error.code, 'BAD_INPUT');
});

test.serial('the smallest instance type with the cpus and memory is picked from what the region offers', async (t) => {
  if (missing) return t.pass(missing);
  const types = await client().instanceTypes(SIZED_FAMILIES);
  t.true(types.length > 20);
  t.true(types.every((type) => SIZED_FAMILIES.includes(type.name.split('.')[0]!)));
  const one = smallestFitting(types, { cpus: 1, memoryMiB: 1024 });
  const picked = types.find((type) => type.name === one)!;
  t.true(picked.vcpus >= 1 && picked.memoryMiB >= 1024);
  t.false(types.some((type) => type.vcpus >= 1 && type.memoryMiB >= 1024 && type.memoryMiB < picked.memoryMiB));
  const big = types.find((type) => type.name === smallestFitting(types, { cpus: 4, memoryMiB: 16_384 }))!;
  t.true(big.vcpus >= 4 && big.memoryMiB >= 16_384);
  t.throws(() => smallestFitting(types, { cpus: 100_000, memoryMiB: 1 }), { message: /no EC2 instance type has 100000 CPUs/ });
});

test.serial('an instance that goes to terminated while starting is a clear error with AWS\'s reason', async (t) => {
  if (missing) return t.pass(missing);
  const tag = await prepared('lab3');
  const [group] = await client().securityGroups({ tags: labTags(tag) });
  const id = await launch({ client: client(), vm: 'vm1', imageId: await someAmi(), instanceType: 't3.micro', keyName: labResourceName(tag), securityGroupId: group!.id, subnet: undefined, userData: '#cloud-config\n', volumeGiB: undefined, tags: labTags(tag) });
  aws.proxy.rules.push({
    match: (seen) => seen.operation === 'DescribeInstances',
    times: 1,
    action: { kind: 'rewrite', rewrite: (xml) => xml.replace(/<stateReason>[\s\S]*?<\/stateReason>|<stateReason\/>/g, '').replace(/<instanceState>\s*<code>\d+<\/code>\s*<name>\w+<\/name>\s*<\/instanceState>/, '<instanceState><code>48</code><name>terminated</name></instanceState><stateReason><code>Server.InternalError</code><message>Server.InternalError: Internal error on launch</message></stateReason>') },
  });
  const error = await t.throwsAsync(waitInstance({ client: client(), vm: 'vm1', instanceId: id, wanted: 'running', pollMs: 10 }), { instanceOf: AtomlabError });
  t.is(error.message, `vm1: instance ${id} went to terminated: Server.InternalError: Internal error on launch`);
  await teardownEc2Lab({ client: client(), tag, pollMs: 10 });
  t.deepEqual(await taggedResources(client(), tag), [], 'nothing leaks');
});

test.serial('this machine\'s public address comes from checkip; an answer that is not one is a clear error', async (t) => {
  const server = createServer((request, response) => response.end(request.url === '/ok' ? '203.0.113.9\n' : '<html>captive portal</html>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  t.is(await publicCidr(`${base}/ok`), '203.0.113.9/32');
  await t.throwsAsync(publicCidr(`${base}/portal`), { message: /could not learn this machine's public address/ });
  server.close();
});
