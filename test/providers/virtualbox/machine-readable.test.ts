import test from 'ava';
import fc from 'fast-check';
import { AtomlabError } from '../../../lab/errors/index.js';
import { natRules, parseMachineReadable, quoteValue, snapshotNames } from '../../../providers/virtualbox/machine-readable.js';
import { parseVersion } from '../../../providers/virtualbox/vbox-version.js';

test('parseVersion: the generation that decides option names; a driver warning before it; too old refused', (t) => {
  t.like(parseVersion('6.1.50r161033\n'), { major: 6, minor: 1, generation: '6.1' });
  t.like(parseVersion('7.0.20r163906'), { generation: '7.0' });
  t.like(parseVersion('7.1.4r165100'), { generation: '7.1' });
  t.like(parseVersion('7.2.0r168000'), { generation: '7.1' });
  t.like(parseVersion('WARNING: The vboxdrv kernel module is not loaded.\n         sudo /sbin/vboxconfig\n7.0.14r161095\n'), { text: '7.0.14r161095' });
  t.is(t.throws(() => parseVersion('6.0.24r139119'), { instanceOf: AtomlabError }).code, 'MISSING_TOOL');
  t.throws(() => parseVersion('garbage'), { message: /cannot read the VirtualBox version/ });
});

test('parseMachineReadable: quoted and bare keys, quoted and numeric values, forwards and snapshot trees', (t) => {
  const info = parseMachineReadable([
    'name="atomlab-lab-vm1"', 'memory=256', '"SATA-0-0"="/labs/a b/disk.vdi"', 'Forwarding(0)="ssh,tcp,127.0.0.1,40022,,22"',
    'Forwarding(1)="udp-53,udp,0.0.0.0,5353,,53"', 'description="say \\"hi\\""', 'not a line',
  ].join('\n'));
  t.is(info.get('memory'), '256');
  t.is(info.get('SATA-0-0'), '/labs/a b/disk.vdi');
  t.is(info.get('description'), 'say "hi"');
  t.deepEqual(natRules(info).map((r) => [r.name, r.protocol, r.hostIp, r.hostPort, r.guestPort]), [['ssh', 'tcp', '127.0.0.1', 40022, 22], ['udp-53', 'udp', '0.0.0.0', 5353, 53]]);
  const snapshots = parseMachineReadable('SnapshotName="clean"\nSnapshotUUID="1"\nSnapshotName-1="child"\nSnapshotName-1-1="grandchild"\nSnapshotName-2="sibling"\nCurrentSnapshotName="child"\n');
  t.deepEqual(snapshotNames(snapshots), ['clean', 'child', 'grandchild', 'sibling']);
});

test('quoteValue and parseMachineReadable round-trip any string value', (t) => {
  fc.assert(fc.property(fc.string().filter((s) => !s.includes('\n')), (value) => parseMachineReadable(`key=${quoteValue(value)}`).get('key') === value));
  t.pass();
});
