import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { AtomlabError } from '../../lab/errors/index.js';
import { requireTool } from '../../lab/host/index.js';

/**
 * The user-data of a config-2 drive atomlab wrote (`openstack/latest/user_data`), read back with
 * xorriso: with `seed: configdrive` Nova writes the drive itself from the user_data it is given
 * (`config_drive: true`), so the engine's drive is the source of that text, not what is attached.
 */
export async function configDriveUserData(drive: { path: string; filesystem: string }, vm: string): Promise<string> {
  if (drive.filesystem !== 'iso9660') throw new AtomlabError(`${vm}: openstack takes seed: configdrive (ISO), not a vfat drive`, { code: 'BAD_INPUT', context: { vm, provider: 'openstack' }, hint: 'use seed: configdrive or seed: userdata' });
  const xorriso = await requireTool('xorriso');
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-config-2-'));
  try {
    const out = join(dir, 'user_data');
    const result = await execa(xorriso, ['-osirrox', 'on', '-indev', drive.path, '-extract', '/openstack/latest/user_data', out], { reject: false });
    if (result.exitCode !== 0) throw new AtomlabError(`${vm}: could not read user_data from the config drive ${drive.path}`, { context: { vm, provider: 'openstack', command: 'xorriso', exitCode: result.exitCode, stderrTail: result.stderr.slice(-500) } });
    return await readFile(out, 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
