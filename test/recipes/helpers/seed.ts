import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';

const run = promisify(execFile);

/** A NoCloud seed ISO made by cloud-localds, from data rendered by the yaml library (as atomlab does). */
export async function makeSeed(dir: string, userData: object, metaData: object): Promise<string> {
  const ud = join(dir, 'user-data');
  const md = join(dir, 'meta-data');
  await writeFile(ud, `#cloud-config\n${YAML.stringify(userData)}`, { mode: 0o600 });
  await writeFile(md, YAML.stringify(metaData));
  const iso = join(dir, 'seed.iso');
  await run('cloud-localds', [iso, ud, md]);
  return iso;
}
