import test from 'ava';
import { attr, at, envelope, parseXml, text, typed } from '../../../providers/vmware/soap-xml.js';
import { leaseUrl } from '../../../providers/vmware/vsphere-import.js';
import { VsphereClient } from '../../../providers/vmware/vsphere-client.js';
import { parseGuestAddress, parseList, parseSnapshots } from '../../../providers/vmware/vmrun-client.js';
import { addressFromConsole } from '../../../providers/vmware/console-address.js';
import { commandProblems } from '../../fixtures/fake-vmrun/contract.js';

test('request text is escaped by the builder, and polymorphic values carry xsi:type', (t) => {
  const xml = envelope('Login', { _this: { '@_type': 'SessionManager', '#text': 'ha-sessionmgr' }, userName: 'root', password: 'a<b&"c' });
  const body = at(parseXml(xml), 'Envelope', 'Body', 'Login');
  t.is(text(at(body, 'password')), 'a<b&"c');
  t.is(attr(at(body, '_this'), 'type'), 'SessionManager');
  const typedXml = envelope('X', { value: typed('xsd:string', { '#text': '1' }) });
  t.regex(typedXml, /<value xsi:type="xsd:string">1<\/value>/);
});

test('the NFC lease URL host * is this server', (t) => {
  const client = new VsphereClient({ url: 'https://127.0.0.1:8989/sdk', insecure: false, timeoutMs: 1000 });
  t.is(leaseUrl(client, 'https://*/nfc/52a1/disk-0.vmdk'), 'https://127.0.0.1:8989/nfc/52a1/disk-0.vmdk');
  t.is(leaseUrl(client, 'https://esx.example/nfc/1/disk-0.vmdk'), 'https://esx.example/nfc/1/disk-0.vmdk');
});

test('vmrun outputs as recorded', (t) => {
  t.deepEqual(parseList('Total running VMs: 2\n/a/b.vmx\n/c d/e.vmx\n'), ['/a/b.vmx', '/c d/e.vmx']);
  t.deepEqual(parseList('Total running VMs: 0\n'), []);
  t.deepEqual(parseSnapshots('Total snapshots: 2\nclean\nafter upgrade\n'), ['clean', 'after upgrade']);
  t.is(parseGuestAddress('192.168.171.128\n'), '192.168.171.128');
  t.is(parseGuestAddress('192.168.171.1\n'), undefined, 'the NAT host side is not the guest');
  t.is(parseGuestAddress('unknown\n'), undefined);
});

test('the console signature: cloud-init\'s address table, not loopback', (t) => {
  const console = 'ci-info: |   lo   | True |          127.0.0.1          |   255.0.0.0   |  host  |         .         |\n'
    + 'ci-info: | ens33  | True |       192.168.171.128       | 255.255.255.0 | global | 00:0c:29:3e:5a:11 |\n'
    + 'ci-info: | ens34  | False |             .              |       .       |   .    | 00:0c:29:3e:5a:12 |\n';
  t.is(addressFromConsole(console), '192.168.171.128');
  t.is(addressFromConsole('no table yet'), undefined);
});

test('the recorded grammar refuses what vmrun would', (t) => {
  t.deepEqual(commandProblems('ws', ['start', '/v/a.vmx', 'nogui']), []);
  t.deepEqual(commandProblems('ws', ['clone', '/v/a.vmx', '/v/b.vmx', 'linked', '-snapshot=s', '-cloneName=b']), []);
  t.notDeepEqual(commandProblems('ws', ['start', 'a.vmx']), []);
  t.notDeepEqual(commandProblems('ws', ['stop', '/v/a.vmx', 'gently']), []);
  t.notDeepEqual(commandProblems('ws', ['clone', '/v/a.vmx', '/v/b.vmx']), []);
  t.notDeepEqual(commandProblems('fusion', ['list']), []);
});
