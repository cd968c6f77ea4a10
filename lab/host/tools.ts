/**
 * The host programs atomlab may call, and where each comes from. Data only:
 * lookups live in find-tool.ts, reports in lab/doctor.
 */
export interface ToolSpec {
  /** Program name looked up on PATH. */
  bin: string;
  /** What it is for, in a few words. */
  purpose: string;
  /** Debian package that provides it (apt-get install …). */
  debianPackage?: string;
  /** Where to get it when it is not a Debian package. */
  source?: string;
  /** Arguments that print the version. */
  versionArgs: string[];
  /** First capture group is the version. */
  versionPattern: RegExp;
}

export const TOOLS = {
  'qemu-system-x86_64': {
    bin: 'qemu-system-x86_64',
    purpose: 'runs VMs (qemu provider, and libvirt underneath)',
    debianPackage: 'qemu-system-x86',
    versionArgs: ['--version'],
    versionPattern: /version (\d+\.\d+(?:\.\d+)?)/,
  },
  'qemu-img': {
    bin: 'qemu-img',
    purpose: 'creates copy-on-write disks, converts images',
    debianPackage: 'qemu-utils',
    versionArgs: ['--version'],
    versionPattern: /version (\d+\.\d+(?:\.\d+)?)/,
  },
  xz: {
    bin: 'xz',
    purpose: 'decompresses .xz images (multi-threaded)',
    debianPackage: 'xz-utils',
    versionArgs: ['--version'],
    versionPattern: /xz \(XZ Utils\) (\S+)/,
  },
  zstd: {
    bin: 'zstd',
    purpose: 'decompresses .zst images',
    debianPackage: 'zstd',
    versionArgs: ['--version'],
    versionPattern: /v(\d+\.\d+\.\d+)/,
  },
  bzip2: {
    bin: 'bzip2',
    purpose: 'decompresses .bz2 images',
    debianPackage: 'bzip2',
    versionArgs: ['--help'],
    versionPattern: /Version (\S+?),/,
  },
  gzip: {
    bin: 'gzip',
    purpose: 'decompresses .gz images (pigz is used instead when installed)',
    debianPackage: 'gzip',
    versionArgs: ['--version'],
    versionPattern: /gzip (\S+)/,
  },
  pigz: {
    bin: 'pigz',
    purpose: 'decompresses .gz images faster than gzip (optional)',
    debianPackage: 'pigz',
    versionArgs: ['--version'],
    versionPattern: /pigz (\S+)/,
  },
  flock: {
    bin: 'flock',
    purpose: 'locks image cache entries (released by the kernel if atomlab dies)',
    debianPackage: 'util-linux',
    versionArgs: ['--version'],
    versionPattern: /util-linux (\S+)/,
  },
  virsh: {
    bin: 'virsh',
    purpose: 'libvirt command-line client (diagnostics only)',
    debianPackage: 'libvirt-clients',
    versionArgs: ['--version'],
    versionPattern: /^(\d+\.\d+\.\d+)/,
  },
  libvirtd: {
    bin: 'libvirtd',
    purpose: 'libvirt daemon (libvirt provider)',
    debianPackage: 'libvirt-daemon libvirt-daemon-driver-qemu',
    versionArgs: ['--version'],
    versionPattern: /(\d+\.\d+\.\d+)/,
  },
  'virt-xml-validate': {
    bin: 'virt-xml-validate',
    purpose: 'validates libvirt XML (tests)',
    debianPackage: 'libvirt-clients',
    versionArgs: ['--version'],
    versionPattern: /(\d+\.\d+\.\d+)/,
  },
  VBoxManage: {
    bin: 'VBoxManage',
    purpose: 'VirtualBox provider',
    source: 'VirtualBox from https://www.virtualbox.org/wiki/Linux_Downloads (not in Debian 12 main)',
    versionArgs: ['--version'],
    versionPattern: /^(\d+\.\d+\.\d+)/,
  },
  vmrun: {
    bin: 'vmrun',
    purpose: 'VMware provider (Workstation / Player / Fusion)',
    source: 'VMware Workstation Pro or Player, which install vmrun (not a Debian package)',
    versionArgs: [],
    versionPattern: /vmrun version (\S+)/,
  },
  ssh: {
    bin: 'ssh',
    purpose: 'interactive `atomlab ssh` sessions (logins are verified in-process)',
    debianPackage: 'openssh-client',
    versionArgs: ['-V'],
    versionPattern: /OpenSSH_(\S+?)[, ]/,
  },
  isoinfo: {
    bin: 'isoinfo',
    purpose: 'inspects ISO images (tests only; atomlab writes seeds itself)',
    debianPackage: 'genisoimage',
    versionArgs: ['-version'],
    versionPattern: /isoinfo (\S+)/,
  },
  xorriso: {
    bin: 'xorriso',
    purpose: 'inspects ISO images (tests only)',
    debianPackage: 'xorriso',
    versionArgs: ['-version'],
    versionPattern: /xorriso (\d+\.\d+\.\d+)/,
  },
  'cloud-localds': {
    bin: 'cloud-localds',
    purpose: 'peer tool for the cidata benchmark (tests only)',
    debianPackage: 'cloud-image-utils',
    versionArgs: ['--help'],
    versionPattern: /()/,
  },
  'cloud-init': {
    bin: 'cloud-init',
    purpose: 'validates generated user-data with `cloud-init schema -c` (tests only)',
    debianPackage: 'cloud-init',
    versionArgs: ['--version'],
    versionPattern: /cloud-init (\S+)/,
  },
  'mkfs.fat': {
    bin: 'mkfs.fat',
    purpose: 'makes the vfat seed drives (seed: nocloud-vfat, configdrive-vfat)',
    debianPackage: 'dosfstools',
    versionArgs: ['--help'],
    versionPattern: /mkfs\.fat (\d\S*) \(/,
  },
  mcopy: {
    bin: 'mcopy',
    purpose: 'copies the seed files into vfat seed drives',
    debianPackage: 'mtools',
    versionArgs: ['--version'],
    versionPattern: /mcopy \(GNU mtools\) (\S+)/,
  },
  mmd: {
    bin: 'mmd',
    purpose: 'makes the directories of vfat config drives (openstack/latest)',
    debianPackage: 'mtools',
    versionArgs: ['--version'],
    versionPattern: /mmd \(GNU mtools\) (\S+)/,
  },
  mke2fs: {
    bin: 'mke2fs',
    purpose: 'makes the ext3 root filesystem of the test guests (recipes)',
    debianPackage: 'e2fsprogs',
    versionArgs: ['-V'],
    versionPattern: /mke2fs (\S+)/,
  },
  sfdisk: {
    bin: 'sfdisk',
    purpose: 'writes the partition table of the test guests (recipes)',
    debianPackage: 'fdisk',
    versionArgs: ['--version'],
    versionPattern: /(\d+\.\d+(?:\.\d+)?)/,
  },
  extlinux: {
    bin: 'extlinux',
    purpose: 'installs the bootloader of the test guests (recipes)',
    debianPackage: 'extlinux',
    versionArgs: ['--version'],
    versionPattern: /extlinux (\S+)/,
  },
  losetup: {
    bin: 'losetup',
    purpose: 'attaches a test guest disk to install its bootloader (recipes)',
    debianPackage: 'mount',
    versionArgs: ['--version'],
    versionPattern: /(\d+\.\d+(?:\.\d+)?)/,
  },
  mmdebstrap: {
    bin: 'mmdebstrap',
    purpose: 'builds the Debian tree of the cloudinit test guest (recipes)',
    debianPackage: 'mmdebstrap',
    versionArgs: ['--version'],
    versionPattern: /mmdebstrap (\S+)/,
  },
  'apt-get': {
    bin: 'apt-get',
    purpose: 'downloads the Debian packages the test guests are made of (recipes)',
    debianPackage: 'apt',
    versionArgs: ['--version'],
    versionPattern: /apt (\S+)/,
  },
  'ignition-validate': {
    bin: 'ignition-validate',
    purpose: 'judges Ignition configs (the seeds of Fedora CoreOS images) and scenario ignition: fragments',
    debianPackage: 'ignition',
    versionArgs: ['-version'],
    versionPattern: /Ignition \S+ (\S+)/,
  },
  dpkg: {
    bin: 'dpkg',
    purpose: 'unpacks Debian packages into the test guests (recipes)',
    debianPackage: 'dpkg',
    versionArgs: ['--version'],
    versionPattern: /version (\S+)/,
  },
} satisfies Record<string, ToolSpec>;

export type ToolName = keyof typeof TOOLS;

/** How to install a tool, in one line. */
export function installHint(spec: ToolSpec): string {
  if (spec.debianPackage) return `install it with: apt-get install ${spec.debianPackage} (or run scripts/setup-host)`;
  return `install ${spec.source ?? spec.bin}`;
}
