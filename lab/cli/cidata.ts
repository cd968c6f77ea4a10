import type { Command } from 'commander';
import { runAction } from './run-action.js';

interface CidataFlags {
  userData: string;
  metaData: string;
  networkConfig?: string;
  vendorData?: string;
  volid: string;
  output: string;
}

/** `atomlab cidata`: writes a NoCloud seed ISO in-process, a drop-in for cloud-localds. */
export function register(program: Command): void {
  program
    .command('cidata')
    .description('write a cloud-init NoCloud seed ISO (ISO 9660 + Rock Ridge + Joliet), like cloud-localds')
    .requiredOption('--user-data <file>', 'user-data (#cloud-config YAML is checked)')
    .requiredOption('--meta-data <file>', 'meta-data (YAML: instance-id, local-hostname)')
    .option('--network-config <file>', 'network-config (v1 or v2)')
    .option('--vendor-data <file>', 'vendor-data')
    .option('--volid <id>', 'volume id (config-2 for a config drive)', 'cidata')
    .requiredOption('-o, --output <iso>', 'the ISO to write (mode 0600; replaced atomically)')
    .action(
      runAction(async (flags: CidataFlags) => {
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
