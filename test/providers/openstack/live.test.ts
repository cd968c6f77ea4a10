import test from 'ava';
import { parse } from 'yaml';
import { liveQuickstart } from '../../helpers/live-quickstart.js';

/**
 * Opt-in: the quickstart on a real OpenStack cloud (clouds.yaml with OS_CLOUD, or the OS_*
 * variables of an openrc file). Uses quota and may cost money; runs only with
 * ATOMLAB_LIVE_OPENSTACK=1 (npm run test:live:openstack), never in npm test.
 * ATOMLAB_LIVE_OPENSTACK_OPTIONS takes extra provider options as YAML (flavor, network, floatingNetwork).
 */
const live = process.env.ATOMLAB_LIVE_OPENSTACK === '1';

(live ? test : test.skip)('live: the quickstart comes up on OpenStack with a verified login and goes away leaving nothing', async (t) => {
  const extra = (parse(process.env.ATOMLAB_LIVE_OPENSTACK_OPTIONS ?? '{}') ?? {}) as Record<string, unknown>;
  await liveQuickstart(t, { name: 'openstack', ...(process.env.OS_CLOUD ? { cloud: process.env.OS_CLOUD } : {}), ...extra });
});
