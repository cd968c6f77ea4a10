import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runScript } from '../recipes/index.js';
import type { ServePlan } from '../plan/index.js';
import type { LabSession } from './lab-session.js';

/**
 * A `publish:` serve entry's update repository: the recipe's publish-update writes it into the
 * lab's state directory (`<path>/repo`) once; a changed recipe or version publishes it anew.
 */
export async function publishRepository(session: LabSession, plan: ServePlan): Promise<void> {
  if (!plan.publish) return;
  const marker = join(plan.path, 'published');
  const wanted = `${plan.publish.recipe} ${plan.publish.version}\n`;
  if ((await readFile(marker, 'utf8').catch(() => '')) === wanted) return;
  await rm(plan.path, { recursive: true, force: true });
  await mkdir(plan.path, { recursive: true, mode: 0o700 });
  await runScript(plan.publish.script, [join(plan.path, 'repo'), '--version', plan.publish.version], { signal: session.signal, capture: true });
  await writeFile(marker, wanted);
}
