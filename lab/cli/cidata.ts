import type { Command } from 'commander';
import type { App } from './app.js';
import { runAction } from './run-action.js';

interface CidataFlags {
  userData?: string;
  metaData?: string;
  from?: string;
  vm?: string;
  networkConfig?: string;
  vendorData?: string;
  volid: string;
  output: string;
}

/** `atomlab cidata`: writes a NoCloud seed ISO in-process, a drop-in for cloud-localds. */
export function register(program: Command, app: App): void {
  program
    .command('cidata')
    .description('write a cloud-init NoCloud seed ISO (ISO 9660 + Rock Ridge + Joliet), like cloud-localds')
    .option('--user-data <file>', 'user-data (#cloud-config YAML is checked)')
    .option('--meta-data <file>', 'meta-data (YAML: instance-id, local-hostname)')
    .option('--from <scenario>', 'write the seed `up` would give a VM of this scenario (with --vm)')
    .option('--vm <name>', 'the VM, with --from')
    .option('--network-config <file>', 'network-config (v1 or v2)')
    .option('--vendor-data <file>', 'vendor-data')
    .option('--volid <id>', 'volume id (config-2 for a config drive)', 'cidata')
    .requiredOption('-o, --output <iso>', 'the ISO to write (mode 0600; replaced atomically)')
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
          const seed = await seedForVm({ loaded, vm: flags.vm, output: flags.output });
          process.stderr.write(`wrote ${seed.output}: log in as ${seed.user} with ssh -i ${seed.labKey}; host key ${seed.hostKeyFingerprint}${seed.passwordFile ? `; generated password in ${seed.passwordFile}` : ''}\n`);
          return;
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
