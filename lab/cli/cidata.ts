import { Option, type Command } from 'commander';
import type { App } from './app.js';
import { runAction } from './run-action.js';

type Format = 'nocloud' | 'configdrive' | 'guestinfo' | 'userdata';

interface CidataFlags {
  userData?: string;
  metaData?: string;
  from?: string;
  vm?: string;
  networkConfig?: string;
  vendorData?: string;
  volid?: string;
  format?: Format;
  fs?: 'iso' | 'vfat';
  output: string;
}

/** The transport --format/--fs ask for; none when neither is given. */
async function chosenTransport(flags: CidataFlags) {
  if (flags.format === undefined && flags.fs === undefined) return undefined;
  const { transportForFormat } = await import('../seed/index.js');
  return transportForFormat(flags.format ?? 'nocloud', flags.fs);
}

async function fromScenario(flags: CidataFlags, app: App): Promise<void> {
  const { AtomlabError } = await import('../errors/index.js');
  if (!flags.from || !flags.vm || flags.userData || flags.metaData || flags.volid !== undefined) {
    throw new AtomlabError('--from and --vm go together, without --user-data/--meta-data/--volid', { code: 'BAD_INPUT', hint: 'atomlab cidata --from atomlab.yaml --vm NAME -o seed.iso' });
  }
  const transport = await chosenTransport(flags);
  const { seedForVm } = await import('../engine/index.js');
  const { loadScenario } = await import('../scenario/index.js');
  const loaded = await loadScenario(flags.from, { providers: app.providers });
  const seed = await seedForVm({ loaded, vm: flags.vm, output: flags.output, transport });
  process.stderr.write(`wrote ${seed.output}: log in as ${seed.user} with ssh -i ${seed.labKey}; host key ${seed.hostKeyFingerprint}${seed.passwordFile ? `; generated password in ${seed.passwordFile}` : ''}\n`);
}

async function fromFiles(flags: CidataFlags): Promise<void> {
  const { AtomlabError } = await import('../errors/index.js');
  if (!flags.userData || !flags.metaData) {
    throw new AtomlabError('--user-data and --meta-data are required (or --from SCENARIO --vm NAME)', { code: 'BAD_INPUT', hint: 'atomlab cidata --user-data user-data --meta-data meta-data -o seed.iso' });
  }
  const transport = (await chosenTransport(flags)) ?? 'nocloud';
  const { writeSeedFromFiles } = await import('../cidata/index.js');
  const paths = { userData: flags.userData, metaData: flags.metaData, networkConfig: flags.networkConfig, vendorData: flags.vendorData, volumeId: flags.volid };
  await writeSeedFromFiles({ paths, transport, output: flags.output });
}

/**
 * `atomlab cidata`: writes a seed in-process: a NoCloud ISO (a drop-in for cloud-localds) or
 * vfat image, an OpenStack config drive, VMware guestinfo `.vmx` lines, or cloud user-data.
 */
export function register(program: Command, app: App): void {
  program
    .command('cidata')
    .description('write a cloud-init seed: NoCloud or config-2 drive (ISO or vfat), guestinfo .vmx lines, or user-data')
    .option('--user-data <file>', 'user-data (#cloud-config YAML is checked)')
    .option('--meta-data <file>', 'meta-data (YAML: instance-id, local-hostname)')
    .option('--from <scenario>', 'write the seed `up` would give a VM of this scenario (with --vm)')
    .option('--vm <name>', 'the VM, with --from')
    .option('--network-config <file>', 'network-config (v1 or v2; config-2 gets it as network_data.json)')
    .option('--vendor-data <file>', 'vendor-data')
    .addOption(new Option('--format <format>', 'a NoCloud or OpenStack config-2 drive, VMware guestinfo .vmx lines, or user-data for a cloud (default: nocloud; with --from, the VM\'s seed:)').choices(['nocloud', 'configdrive', 'guestinfo', 'userdata']))
    .addOption(new Option('--fs <filesystem>', 'filesystem of a nocloud or configdrive image (default iso)').choices(['iso', 'vfat']))
    .option('--volid <id>', 'volume id of a NoCloud ISO (default cidata)')
    .requiredOption('-o, --output <file>', 'the file to write (mode 0600; replaced atomically)')
    .action(runAction(async (flags: CidataFlags) => (flags.from !== undefined || flags.vm !== undefined ? fromScenario(flags, app) : fromFiles(flags))));
}
