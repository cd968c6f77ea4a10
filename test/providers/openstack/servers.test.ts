import test from 'ava';
import { AtomlabError } from '../../../lab/errors/index.js';
import { errorMessage, openstackError } from '../../../providers/openstack/openstack-errors.js';
import { retryAfterMs } from '../../../providers/openstack/openstack-session.js';
import { pickFlavor, serverAddress, serverBody, USER_DATA_LIMIT } from '../../../providers/openstack/servers.js';
import { labResourceName } from '../../../providers/openstack/lab-resources.js';
import { checkCreateImage, checkKeypair, checkRebuild, checkServer, microversion, type ContractViolation } from '../../fixtures/clouds/openstack-contract.js';

const flavors = [
  { id: 'a', name: 'c1.big', vcpus: 8, ram: 16_384, disk: 80 },
  { id: 'b', name: 'm1.small', vcpus: 1, ram: 2048, disk: 20 },
  { id: 'c', name: 'm1.nodisk', vcpus: 1, ram: 2048, disk: 0 },
  { id: 'd', name: 'm1.tiny', vcpus: 1, ram: 512, disk: 1 },
  { id: 'e', name: 'c1.two', vcpus: 2, ram: 2048, disk: 20 },
];

test('the smallest flavor with the CPUs, memory and a disk for the image; a named one by name or id', (t) => {
  t.is(pickFlavor(flavors, { cpus: 1, memoryMiB: 1024, diskGiB: 2 }).name, 'm1.nodisk', 'least memory, then CPUs, then disk (0: sized to the image)');
  t.is(pickFlavor(flavors, { cpus: 2, memoryMiB: 1024, diskGiB: 10 }).name, 'c1.two');
  t.is(pickFlavor(flavors, { cpus: 1, memoryMiB: 256, diskGiB: 1 }).name, 'm1.tiny');
  t.is(pickFlavor(flavors, { name: 'a', cpus: 1, memoryMiB: 1, diskGiB: 1 }).name, 'c1.big');
  t.throws(() => pickFlavor(flavors, { cpus: 64, memoryMiB: 1, diskGiB: 1 }), { instanceOf: AtomlabError, message: /no flavor of this cloud has 64 CPUs/ });
  t.throws(() => pickFlavor(flavors, { name: 'x1.huge', cpus: 1, memoryMiB: 1, diskGiB: 1 }), { message: /no flavor x1.huge \(it has: c1.big, m1.small/ });
});

const launch = { client: undefined as never, vm: 'vm1', name: labResourceName('my-lab.0123abcd') + '-vm1', imageId: 'img', flavorId: '1', keyName: labResourceName('my-lab.0123abcd'), securityGroup: labResourceName('my-lab.0123abcd'), networkId: 'net-1', configDrive: true, metadata: { 'atomlab:lab': 'my-lab.0123abcd' } };

test('the server body passes Nova\'s schema: base64 user_data, config_drive, networks by uuid; names Nova takes for key pairs', (t) => {
  const body = serverBody({ ...launch, userData: '#cloud-config\n' });
  t.notThrows(() => checkServer({ server: body }));
  t.is(body.user_data, Buffer.from('#cloud-config\n').toString('base64'));
  t.deepEqual(body.networks, [{ uuid: 'net-1' }]);
  t.true(body.config_drive);
  t.is(launch.keyName, 'atomlab-my-lab-0123abcd');
  t.notThrows(() => checkKeypair({ keypair: { name: launch.keyName, public_key: 'ssh-ed25519 AAAAC3Nz' } }));
});

test('user-data over Nova\'s 65535 base64 characters is refused before any call', (t) => {
  const error = t.throws(() => serverBody({ ...launch, userData: 'x'.repeat((USER_DATA_LIMIT / 4) * 3 + 3) }), { instanceOf: AtomlabError });
  t.is(error.code, 'BAD_INPUT');
  t.regex(error.message, /Nova takes at most 65535/);
});

test('public is the floating address, then accessIPv4 (Nova\'s "" is unset), then fixed; private is fixed', (t) => {
  const server = { id: 's', name: 's', status: 'ACTIVE', metadata: {}, accessIPv4: '', addresses: { net: [{ addr: 'fd00::5', version: 6 }, { addr: '10.0.0.5', version: 4, 'OS-EXT-IPS:type': 'fixed' as const }, { addr: '203.0.113.5', version: 4, 'OS-EXT-IPS:type': 'floating' as const }] } };
  t.is(serverAddress(server, 'public', 'vm1'), '203.0.113.5');
  t.is(serverAddress(server, 'private', 'vm1'), '10.0.0.5');
  t.is(serverAddress({ ...server, addresses: { net: [server.addresses.net[1]!] } }, 'public', 'vm1'), '10.0.0.5');
  t.throws(() => serverAddress({ ...server, addresses: {} }, 'private', 'vm1'), { message: /has no private address yet/ });
});

test('Retry-After in seconds, as a date, or in Nova\'s overLimit body', (t) => {
  t.is(retryAfterMs(new Headers({ 'retry-after': '7' }), ''), 7000);
  t.is(retryAfterMs(new Headers({ 'retry-after': 'Sun, 29 Nov 2026 22:00:10 GMT' }), '', Date.parse('Sun, 29 Nov 2026 22:00:00 GMT')), 10_000);
  t.is(retryAfterMs(new Headers(), '{"overLimit": {"code": 413, "retryAfter": "3"}}'), 3000);
  t.is(retryAfterMs(new Headers(), ''), 1000);
});

test('error bodies of each service read as one message', (t) => {
  t.deepEqual(errorMessage('{"itemNotFound": {"code": 404, "message": "Instance x could not be found."}}'), { message: 'Instance x could not be found.' });
  t.deepEqual(errorMessage('{"NeutronError": {"type": "SecurityGroupInUse", "message": "Security Group x in use.", "detail": ""}}'), { message: 'Security Group x in use.', type: 'SecurityGroupInUse' });
  t.deepEqual(errorMessage('{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}'), { message: 'The request you have made requires authentication.' });
  t.deepEqual(errorMessage('<html><body><h1>413 Request Entity Too Large</h1></body></html>'), { message: '413 Request Entity Too Large' });
  t.regex(openstackError({ operation: 'x', service: 'compute', status: 500, message: 'boom' }).message, /^OpenStack call failed \(x: HTTP 500: boom\)$/);
});

test('the recorded Nova refuses what the Compute API refuses: rebuild fields before their microversion, createImage extras, bad microversion headers', (t) => {
  const refused = (run: () => unknown, message: RegExp, status = 400) => t.is((t.throws(run, { message }) as ContractViolation).status, status);
  t.deepEqual(checkRebuild({ imageRef: 'i-1' }, [2, 1]), { imageRef: 'i-1' }, 'what atomlab sends');
  refused(() => checkRebuild({}, [2, 1]), /imageRef is required/);
  refused(() => checkRebuild({ imageRef: 'i-1', key_name: 'k' }, [2, 53]), /'key_name' was unexpected\) at microversion 2\.53/);
  t.notThrows(() => checkRebuild({ imageRef: 'i-1', key_name: 'k', user_data: 'eA==' }, [2, 57]));
  refused(() => checkRebuild({ imageRef: 'i-1', user_data: 'eA==' }, [2, 56]), /'user_data' was unexpected/);
  refused(() => checkRebuild({ imageRef: 'i-1', personality: [] }, [2, 57]), /'personality' was unexpected/);
  t.deepEqual(checkCreateImage({ name: 'snap', metadata: { atomlab_lab: 'lab.1234abcd' } }), { name: 'snap', metadata: { atomlab_lab: 'lab.1234abcd' } });
  refused(() => checkCreateImage({ name: ' snap' }), /no leading or trailing spaces/);
  refused(() => checkCreateImage({ name: 'snap', visibility: 'public' }), /'visibility' was unexpected/);
  refused(() => checkCreateImage({ name: 'snap', metadata: { 'bad/key': 'x' } }), /metadata bad\/key is not valid/);
  t.deepEqual(microversion({}), [2, 1]);
  t.deepEqual(microversion({ 'openstack-api-version': 'compute 2.45', 'x-openstack-nova-api-version': '2.45' }), [2, 45]);
  t.deepEqual(microversion({ 'x-openstack-nova-api-version': '2.45' }), [2, 45]);
  refused(() => microversion({ 'openstack-api-version': 'compute latest' }), /Invalid API version request string/);
  refused(() => microversion({ 'openstack-api-version': 'compute 2.45' }, 44), /Version 2\.45 is not supported by the API\. Minimum is 2\.1 and maximum is 2\.44\./, 406);
});
