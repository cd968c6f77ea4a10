import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lab/files/index.js';

/** A snapshot atomlab asked Nova for: written before `createImage`, its image id once Nova answered. */
export interface JournalEntry {
  name: string;
  imageName: string;
  imageId?: string;
}

const file = (dir: string) => join(dir, 'openstack-snapshots.json');

/** What the VM's journal holds (nothing when the VM has no state directory, or none was written). */
export async function journalEntries(dir: string | undefined): Promise<JournalEntry[]> {
  if (!dir) return [];
  const text = await readFile(file(dir), 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '[]' : Promise.reject(error)));
  return JSON.parse(text) as JournalEntry[];
}

async function save(dir: string, entries: JournalEntry[]): Promise<void> {
  await writeFileAtomic(file(dir), `${JSON.stringify(entries, null, 2)}\n`);
}

/** Records (or updates) the entry of this snapshot name, before and after the call that makes it. */
export async function recordSnapshot(dir: string | undefined, entry: JournalEntry): Promise<void> {
  if (!dir) return;
  const entries = (await journalEntries(dir)).filter((known) => known.name !== entry.name);
  await save(dir, [...entries, entry]);
}

/** Drops the entries of these names (their images are gone). */
export async function forgetSnapshots(dir: string | undefined, names: string[]): Promise<void> {
  if (!dir) return;
  const entries = await journalEntries(dir);
  const kept = entries.filter((entry) => !names.includes(entry.name));
  if (kept.length !== entries.length) await save(dir, kept);
}
