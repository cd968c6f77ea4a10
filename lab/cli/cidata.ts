import type { Command } from 'commander';
import type { App } from './app.js';
import { runAction } from './run-action.js';
import type { SeedTransport } from '../seed/index.js';

interface CidataFlags {
  userData?: string;
  metaData?: string;
  from?: string;
  vm?: string;
  networkConfig?: string;
  vendorData?: string;
  volid: string;
  format?: string;
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

async function transportOf(format: string | undefined): Promise<SeedTransport | undefined> {
  if (format === undefined) return undefined;
  const [{ SEED_TRANSPORTS }, { AtomlabError }] = await Promise.all([import('../seed/index.js'), import('../errors/index.js')]);
  if ((SEED_TRANSPORTS as readonly string[]).includes(format)) return format as SeedTransport;
  throw new AtomlabError(`unknown --format ${format}`, { code: 'BAD_INPUT', hint: `one of: ${SEED_TRANSPORTS.join(', ')}` });
}

/** `atomlab cidata`: writes a NoCloud seed ISO in-process, a drop-in for cloud-localds. */
export function register(program: Command, app: App): void {
  program
    .command('cidata')
    .description('write a cloud-init NoCloud seed ISO (ISO 9660 + Rock Ridge + Joliet), like cloud-localds; or an Ignition config')
    .option('--user-data <file>', 'user-data (#cloud-config YAML is checked); with --format ignition, an Ignition or Butane-shaped YAML/JSON config')
    .option('--meta-data <file>', 'meta-data (YAML: instance-id, local-hostname)')
    .option('--from <scenario>', 'write the seed `up` would give a VM of this scenario (with --vm)')
    .option('--vm <name>', 'the VM, with --from')
    .option('--network-config <file>', 'network-config (v1 or v2)')
    .option('--vendor-data <file>', 'vendor-data')
    .option('--volid <id>', 'volume id (config-2 for a config drive)', 'cidata')
    .option('--format <transport>', 'the seed format: nocloud, ignition (an Ignition config judged by ignition-validate), …; with --from, default: the VM\'s seed')
    .option('--spec <version>', 'Ignition spec version, with --format ignition --user-data (with --from: the image\'s)', '3.3.0')
    .requiredOption('-o, --output <file>', 'the ISO (or Ignition JSON) to write (mode 0600; replaced atomically)')
    .action(
      runAction(async (flags: CidataFlags) => {
        const { AtomlabError } = await import('../errors/index.js');
        if (flags.from !== undefined || flags.vm !== undefined) {
          if (!flags.from || !flags.vm || flags.userData || flags.metaData) {
            throw new AtomlabError('--from and --vm go together, without --user-data/--meta-data', { code: 'BAD_INPUT', hint: 'atomlab cidata --from atomlab.yaml --vm NAME -o seed.iso' });
          }
          const { seedForVm } = await import('../engine/index.js');
          const { loadScenario } = await import('../scenario/index.js');
          const loaded = await loadScenario(flags.from, { providers: app.providers });
          const seed = await seedForVm({ loaded, vm: flags.vm, output: flags.output, transport: await transportOf(flags.format) });
          process.stderr.write(`wrote ${seed.output}: log in as ${seed.user} with ssh -i ${seed.labKey}; host key ${seed.hostKeyFingerprint}${seed.passwordFile ? `; generated password in ${seed.passwordFile}` : ''}\n`);
          return;
        }
        if (flags.format === 'ignition') {
          if (!flags.userData || flags.metaData) throw new AtomlabError('--format ignition needs --user-data FILE (an Ignition or Butane-shaped config), or --from SCENARIO --vm NAME', { code: 'BAD_INPUT', hint: 'atomlab cidata --format ignition --from atomlab.yaml --vm NAME -o config.ign' });
          return ignitionFromFile(flags);
        }
        if (!flags.userData || !flags.metaData) {
          throw new AtomlabError('--user-data and --meta-data are required (or --from SCENARIO --vm NAME)', { code: 'BAD_INPUT', hint: 'atomlab cidata --user-data user-data --meta-data meta-data -o seed.iso' });
        }
        const { writeCidataFromFiles } = await import('../cidata/index.js');
        await writeCidataFromFiles(flags.output, {
          userData: flags.userData,
          metaData: flags.metaData,
          networkConfig: flags.networkConfig,
          vendorData: flags.vendorData,
          volumeId: flags.volid,
        });
      }),
    );
}
