import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { labDir } from './lab.js';

/**
 * A one-VM cloud lab (port 9090 forwarded) on a local raw disk: 600 KiB of data, then 2 MiB of
 * zeros, so an upload shows both the blocks it sends and the ones it skips.
 * `provider` is the provider's YAML flow mapping, e.g. `{name: ec2, region: us-east-1}`.
 */
export async function rawDiskCloudLab(name: string, provider: string): Promise<{ dir: string; file: string }> {
  const lab = await labDir(
    [
      `name: ${name}`,
      'defaults:',
      `  provider: ${provider}`,
      '  image: {path: disk.raw, format: raw, verify: false, user: fedora}',
      'vms:',
      '  - name: host1',
      '    ports: {"9090": auto}',
      '',
    ].join('\n'),
  );
  await writeFile(join(lab.dir, 'disk.raw'), Buffer.concat([randomBytes(600 * 1024), Buffer.alloc(2 * 1024 * 1024)]));
  return lab;
}
