import test from 'ava';
import { AtomlabError } from '../../../lab/errors/index.js';
import { vmReport } from '../../../lab/engine/lab-report.js';
import type { VmRecord } from '../../../lab/state/index.js';
import { LibvirtProvider } from '../../../providers/libvirt/provider.js';
import { resolveOptions } from '../../../providers/libvirt/options.js';
import { connectionLost, openWaiting } from '../../../providers/libvirt/reconnect.js';
import { privateLibvirtd, type PrivateLibvirtd } from '../../fixtures/private-libvirtd.js';

// A libvirtd that stops and starts again under atomlab, with no VM: a daemon of this file's own
// (killed and started by the tests), and a socket where no daemon will ever answer.
let daemon: PrivateLibvirtd;

test.before(async () => {
  daemon = await privateLibvirtd();
});

test.after.always(async () => {
  await daemon?.stop();
});

test.serial('a connection made while libvirtd restarts waits for it, and answers once it is back', async (t) => {
  await daemon.kill();
  const opening = openWaiting(daemon.uri, { timeoutMs: 120_000 }); // its first tries meet the dead daemon's socket
  await daemon.start();
  const conn = await opening;
  try {
    t.is(typeof (await conn.hostname()), 'string');
  } finally {
    await conn.close();
  }
});

test.serial('a connection that libvirtd\'s restart broke says so (the call fails, the connection is not alive)', async (t) => {
  const conn = await openWaiting(daemon.uri, { timeoutMs: 60_000 });
  try {
    await daemon.kill();
    const error = await t.throwsAsync(() => conn.hostname());
    t.true(connectionLost(error, conn));
  } finally {
    await conn.close().catch(() => undefined);
    await daemon.start();
  }
});

const nowhere = `qemu:///system?socket=/run/atomlab-no-such-libvirtd-${process.pid}/libvirt-sock`;

test('a libvirtd that never answers: the operation fails naming libvirtd, its URI, what it said, and what to do', async (t) => {
  const error = await t.throwsAsync(() => openWaiting(nowhere, { timeoutMs: 1500 }), { instanceOf: AtomlabError });
  t.regex(error!.message, /^libvirtd at qemu:\/\/\/system\?socket=\S+ is not answering \(Failed to connect socket to '\S+': No such file or directory\); waited 2 s for it to come back$/);
  t.regex(error!.hint ?? '', /start libvirtd again .*the lab's VMs keep running without it/);
});

test('status of a VM whose libvirtd never answers: unknown, and why (not missing)', async (t) => {
  const provider = new LibvirtProvider(resolveOptions({ uri: nowhere, reconnectTimeoutMs: 1000 }));
  const ref = { provider: 'libvirt', lab: 'gone', name: 'host1', data: { uri: nowhere, uuid: '6f1c3c1e-5d0a-4c53-9a53-3c1f0c2b7e11' } };
  const record: VmRecord = { name: 'host1', provider: 'libvirt', providerOptions: { uri: nowhere }, planHash: '', instanceId: 'i', dir: '/nonexistent', createdAt: '', hostKey: 'ssh-ed25519 AAAA', ref, login: { verified: true, methods: ['key'], hostKey: 'ssh-ed25519 AAAA' } };
  const report = await vmReport(record, 'host1', 'libvirt', provider);
  t.is(report.state, 'unknown');
  t.false(report.login.verified);
  t.regex(report.error ?? '', /^its state is unknown: libvirtd at qemu:\/\/\/system\?socket=\S+ is not answering/);
});
