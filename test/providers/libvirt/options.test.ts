import test from 'ava';
import { isLocalUri, isLoopback, libvirtOptions, resolveOptions, uriHost } from '../../../providers/libvirt/options.js';
import { providers } from '../../../providers/registry.js';
import { LineSplitter } from '../../../providers/libvirt/console.js';
import { forwardAddresses, macAddresses } from '../../../providers/libvirt/vm-spec.js';
import { AtomlabError } from '../../../lab/errors/index.js';

test('local URIs share this machine; transports and hosts make a URI remote', (t) => {
  for (const uri of ['qemu:///system', 'qemu:///session', 'qemu+unix:///system', 'test:///default']) t.true(isLocalUri(uri), uri);
  for (const uri of ['qemu+tcp://127.0.0.1/system', 'qemu+ssh://root@host/system', 'qemu://host/system', 'nonsense']) t.false(isLocalUri(uri), uri);
});

test('the host of a URI, and whether it is this machine', (t) => {
  t.is(uriHost('qemu+ssh://root@lab.example:2222/system'), 'lab.example');
  t.is(uriHost('qemu+tcp://[::1]:16509/system'), '::1');
  t.is(uriHost('qemu:///system'), '');
  t.true(isLoopback('127.0.0.1'));
  t.false(isLoopback('lab.example'));
  t.deepEqual(forwardAddresses('qemu+tcp://127.0.0.1:1/system'), { bind: '127.0.0.1', reach: '127.0.0.1' });
  t.deepEqual(forwardAddresses('qemu+ssh://lab.example/system'), { bind: '0.0.0.0', reach: 'lab.example' });
});

test('defaults are set once; the console is read through the API on remote URIs', (t) => {
  const local = resolveOptions({});
  t.is(local.uri, 'qemu:///system');
  t.is(local.pool, 'atomlab');
  t.true(local.createPool);
  t.is(local.console, 'socket');
  t.false(local.kvm);
  const remote = resolveOptions({ uri: 'qemu+ssh://host/system', pool: 'images' });
  t.is(remote.console, 'stream');
  t.false(remote.createPool, 'a named pool is not created unless a path is given');
});

test('a bad option is BAD_INPUT naming the option, from the provider\'s own schema', async (t) => {
  const error = await t.throwsAsync(providers.load('libvirt', { kvm: 'yes' }), { instanceOf: AtomlabError });
  t.is(error?.code, 'BAD_INPUT');
  t.regex(error?.message ?? '', /libvirt provider options: kvm:/);
  t.false(libvirtOptions.safeParse({ nmae: 'x' }).success, 'unknown keys are refused (strict)');
});

test('MAC addresses are stable, distinct and in QEMU\'s range', (t) => {
  const macs = macAddresses({ lab: 'l', name: 'v' }, 3);
  t.deepEqual(macs, macAddresses({ lab: 'l', name: 'v' }, 3));
  t.is(new Set(macs).size, 3);
  for (const mac of macs) t.regex(mac, /^52:54:00(:[0-9a-f]{2}){3}$/);
});

test('console output is split into clean lines across chunks', (t) => {
  const lines = new LineSplitter();
  t.deepEqual(lines.push('\x1bcSea'), []);
  t.deepEqual(lines.push('BIOS\r\nBoot\x1b[2J'), ['SeaBIOS']);
  t.deepEqual(lines.push('ing\r\n'), ['Booting']);
  t.deepEqual(lines.push('login: '), []);
  t.deepEqual(lines.flush(), ['login: ']);
});
