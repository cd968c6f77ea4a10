import test from 'ava';
import { liveQuickstart } from '../../helpers/live-quickstart.js';

/**
 * Opt-in: the quickstart on real EC2 (credentials from the environment or a profile). Costs
 * money; runs only with ATOMLAB_LIVE_EC2=1 (npm run test:live:ec2), never in npm test.
 */
const live = process.env.ATOMLAB_LIVE_EC2 === '1';

(live ? test : test.skip)('live: the quickstart comes up on EC2 with a verified login and goes away leaving nothing', async (t) => {
  const ami = process.env.ATOMLAB_LIVE_EC2_AMI;
  await liveQuickstart(t, { name: 'ec2', ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}) }, ami ? { ami, user: process.env.ATOMLAB_LIVE_EC2_USER ?? 'fedora' } : undefined);
});
