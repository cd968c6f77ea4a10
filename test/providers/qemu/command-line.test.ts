import test from 'ava';
import { qemuArguments } from '../../../providers/qemu/index.js';
import type { VmPlan } from '../../../lab/plan/index.js';

const plan: VmPlan = {
  lab: 'lab',
  name: 'vm1',
  hostname: 'vm1',
  image: { id: 'tiny', title: 'tiny', recipe: 'tiny', compression: 'none', verify: true, user: 'fedora', config: 'cloud-init' },
  provider: { name: 'qemu', options: {} },
  cpus: 2,
  memoryMiB: 512,
  hardware: { sound: 'ich6', firmware: 'bios', machine: 'pc', nics: 1, serial: true, graphics: 'none' },
  login: { user: 'fedora', sshKeys: [] },
  cloudConfig: {},
  ignition: {},
  metaData: {},
  seed: 'nocloud',
  ports: [],
  bootTimeoutMs: 600_000,
};
const paths = { disk: '/s/disk.qcow2', seed: { kind: 'drive' as const, path: '/s/seed.iso', attachAs: 'cdrom' as const }, qmpSocket: '/r/qmp.sock', consoleSocket: '/r/console.sock', consoleLog: '/s/console.log', pidFile: '/s/qemu.pid' };

function args(overrides: Partial<Parameters<typeof qemuArguments>[0]> = {}): string {
  return qemuArguments({ plan, paths, accel: 'tcg', sound: 'ich6', forwards: [{ protocol: 'tcp', guest: 22, host: 40022 }], ...overrides }).join(' ');
}

test('the command line has the disk, the seed, QMP, the console and SSH forwarded on loopback', (t) => {
  const line = args();
  t.regex(line, /-machine pc,accel=tcg -cpu max -smp 2 -m 512/);
  t.regex(line, /-drive file=\/s\/disk\.qcow2,format=qcow2,if=virtio/);
  t.regex(line, /-drive file=\/s\/seed\.iso,format=raw,media=cdrom,readonly=on/);
  t.regex(line, /-netdev user,id=net0,hostfwd=tcp:127\.0\.0\.1:40022-:22 -device virtio-net-pci,netdev=net0/);
  t.regex(line, /-chardev socket,id=console0,path=\/r\/console\.sock,server=on,wait=off,logfile=\/s\/console\.log,logappend=on -serial chardev:console0/);
  t.regex(line, /-qmp unix:\/r\/qmp\.sock,server=on,wait=off/);
  t.regex(line, /-pidfile \/s\/qemu\.pid -daemonize/);
  t.regex(line, /-display none -vga none/);
});

test('sound models become the devices QEMU knows', (t) => {
  t.regex(args({ sound: 'ich6' }), /-audiodev none,id=snd0 -device intel-hda,id=sound0 -device hda-duplex,bus=sound0\.0,audiodev=snd0/);
  t.regex(args({ sound: 'ich9' }), /-device ich9-intel-hda,id=sound0 -device hda-duplex/);
  t.regex(args({ sound: 'ac97' }), /-device AC97,audiodev=snd0/);
  t.regex(args({ sound: 'es1370' }), /-device ES1370,audiodev=snd0/);
  t.notRegex(args({ sound: 'none' }), /audiodev/);
});

test('KVM uses the host CPU; extra ports, NICs, UEFI and VNC are added', (t) => {
  const line = args({
    accel: 'kvm',
    plan: { ...plan, hardware: { ...plan.hardware, nics: 2, firmware: 'uefi', graphics: 'vnc' } },
    paths: { ...paths, uefiVars: '/s/VARS.fd' },
    uefiCode: '/usr/share/OVMF/OVMF_CODE_4M.fd',
    forwards: [{ protocol: 'tcp', guest: 22, host: 40022 }, { protocol: 'udp', guest: 53, host: 40053 }],
    displayPort: 5905,
  });
  t.regex(line, /accel=kvm -cpu host/);
  t.regex(line, /hostfwd=tcp:127\.0\.0\.1:40022-:22,hostfwd=udp:127\.0\.0\.1:40053-:53/);
  t.regex(line, /-netdev user,id=net1 -device virtio-net-pci,netdev=net1/);
  t.regex(line, /if=pflash,format=raw,unit=0,readonly=on,file=\/usr\/share\/OVMF\/OVMF_CODE_4M\.fd -drive if=pflash,format=raw,unit=1,file=\/s\/VARS\.fd/);
  t.regex(line, /-vga std -vnc 127\.0\.0\.1:5/);
});

test('a vfat seed is a read-only disk, an Ignition config goes in through fw_cfg', (t) => {
  t.regex(args({ paths: { ...paths, seed: { kind: 'drive', path: '/s/seed.img', attachAs: 'disk' } } }), /-drive file=\/s\/seed\.img,format=raw,if=virtio,readonly=on/);
  const ignition = args({ paths: { ...paths, seed: { kind: 'fwcfg', name: 'opt/com.coreos/config', path: '/s/config.ign' } } });
  t.regex(ignition, /-fw_cfg name=opt\/com\.coreos\/config,file=\/s\/config\.ign/);
  t.notRegex(ignition, /media=cdrom/);
  const comma = args({ paths: { ...paths, seed: { kind: 'fwcfg', name: 'opt/com.coreos/config', path: '/s/a,b/config.ign' } } });
  t.regex(comma, /-fw_cfg name=opt\/com\.coreos\/config,file=\/s\/a,,b\/config\.ign/, 'a comma in the path is doubled, as QEMU\'s option syntax wants');
});
