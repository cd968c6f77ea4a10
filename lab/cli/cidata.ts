import { Option, type Command } from 'commander';
import type { App } from './app.js';
import { runAction } from './run-action.js';

type Format = 'nocloud' | 'configdrive' | 'guestinfo' | 'userdata' | 'ignition';

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
  spec: string;
  output: string;
}

/** `--format ignition --user-data F`: an Ignition or Butane-shaped YAML/JSON file, judged and written as Ignition JSON. */
async function ignitionFromFile(flags: CidataFlags): Promise<void> {
  const [{ readYamlFile }, { normalizeFragment, mergeIgnition, requireValidIgnition }, { writeFileAtomic }, { writtenScalar }] = await Promise.all([
    import('../yaml/index.js'), import('../ignition/index.js'), import('../files/index.js'), import('../scenario/ignition-fragments.js'),
  ]);
  const source = await readYamlFile(flags.userData!);
  const fragment = normalizeFragment(source.doc.toJS() as Record<string, unknown>, { written: (path) => writtenScalar(source, path) });
  const config = mergeIgnition({ ignition: { version: flags.spec } }, fragment.config);
  await writeFileAtomic(flags.output, await requireValidIgnition(config, flags.userData!), { mode: 0o600 });
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
  if (flags.format === 'ignition') {
    if (!flags.userData || flags.metaData) throw new AtomlabError('--format ignition needs --user-data FILE (an Ignition or Butane-shaped config), or --from SCENARIO --vm NAME', { code: 'BAD_INPUT', hint: 'atomlab cidata --format ignition --from atomlab.yaml --vm NAME -o config.ign' });
    return ignitionFromFile(flags);
  }
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
    .option('--user-data <file>', 'user-data (#cloud-config YAML is checked); with --format ignition, an Ignition or Butane-shaped YAML/JSON config')
    .option('--meta-data <file>', 'meta-data (YAML: instance-id, local-hostname)')
    .option('--from <scenario>', 'write the seed `up` would give a VM of this scenario (with --vm)')
    .option('--vm <name>', 'the VM, with --from')
    .option('--network-config <file>', 'network-config (v1 or v2; config-2 gets it as network_data.json)')
    .option('--vendor-data <file>', 'vendor-data')
    .addOption(new Option('--format <format>', 'a NoCloud or OpenStack config-2 drive, VMware guestinfo .vmx lines, user-data for a cloud, or an Ignition config (default: nocloud; with --from, the VM\'s seed:)').choices(['nocloud', 'configdrive', 'guestinfo', 'userdata', 'ignition']))
    .option('--spec <version>', 'Ignition spec version, with --format ignition --user-data (with --from: the image\'s)', '3.3.0')
    .addOption(new Option('--fs <filesystem>', 'filesystem of a nocloud or configdrive image (default iso)').choices(['iso', 'vfat']))
    .option('--volid <id>', 'volume id of a NoCloud ISO (default cidata)')
    .requiredOption('-o, --output <file>', 'the file to write (mode 0600; replaced atomically)')
    .action(runAction(async (flags: CidataFlags) => (flags.from !== undefined || flags.vm !== undefined ? fromScenario(flags, app) : fromFiles(flags))));
}
