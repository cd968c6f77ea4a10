import { join } from 'node:path';
import { atomlab, type AtomlabCall } from './child.js';
import type { RunPlace } from './operations.js';
import { filesUnder, processesNaming, type Traces } from './traces.js';

interface VerifyShape {
  ok?: unknown[];
  bad?: unknown[];
}

const tail = (text: string) => text.trim().split('\n').slice(-3).join(' | ');

async function verify(call: AtomlabCall): Promise<VerifyShape | string> {
  const verified = await atomlab({ ...call, args: ['images', 'verify', '--json'] });
  try {
    return JSON.parse(verified.stdout) as VerifyShape;
  } catch {
    return `images verify exit ${verified.exitCode ?? verified.signal}: ${tail(verified.stderr)}`;
  }
}

/**
 * After a killed pull: `images ls` answers; with `recover`, a second pull completes and the
 * cache verifies; `images prune` (the cache's `down`) exits 0.
 */
export async function judgePull(call: AtomlabCall, place: RunPlace, recover: boolean): Promise<{ problems: string[]; pruneFailed?: string }> {
  const problems: string[] = [];
  const ls = await atomlab({ ...call, args: ['images', 'ls', '--json'] });
  try {
    JSON.parse(ls.stdout);
  } catch {
    problems.push(`images ls exit ${ls.exitCode ?? ls.signal}: ${tail(ls.stderr)}`);
  }
  if (recover) {
    const pull = await atomlab({ ...call, args: ['images', 'pull', place.mirror.url, '--sha256', place.mirror.sha256] });
    const judged = await verify(call);
    if (pull.exitCode !== 0) problems.push(`recovery pull exit ${pull.exitCode ?? pull.signal}: ${tail(pull.stderr)}`);
    else if (typeof judged === 'string') problems.push(judged);
    else if (judged.ok?.length !== 1 || judged.bad?.length) problems.push(`after the recovery pull the cache verifies ${judged.ok?.length ?? 0} good and ${judged.bad?.length ?? 0} bad entries`);
  }
  const prune = await atomlab({ ...call, args: ['images', 'prune'] });
  return { problems, pruneFailed: prune.exitCode === 0 ? undefined : `images prune exit ${prune.exitCode ?? prune.signal}: ${tail(prune.stderr)}` };
}

/**
 * What a pull may not leave: a process of it, a partial download or temporary output nobody
 * works on (after prune), an entry that does not verify.
 */
export async function pullTraces(place: RunPlace): Promise<Traces> {
  const cache = join(place.home, 'images');
  const files = [...(await filesUnder(join(cache, 'partial'))), ...(await filesUnder(join(cache, 'tmp')))];
  const judged = await verify({ args: [], log: join(place.dir, '..', `${place.lab}.log`), env: { ATOMLAB_HOME: place.home } });
  if (typeof judged === 'string') files.push(judged);
  else files.push(...(judged.bad ?? []).map((bad) => `entry that does not verify: ${JSON.stringify(bad)}`));
  return { processes: await processesNaming([place.home]), domains: [], volumes: [], listeners: [], files };
}
