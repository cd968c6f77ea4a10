import test from 'ava';
import { execFileSync } from 'node:child_process';
import { generateKeyPair } from '../../lab/cidata/index.js';
import { decodeIgnitionGuestinfo, hashPassword, ignitionGuestinfo, renderIgnition, stringifyLocated, validateIgnition } from '../../lab/ignition/index.js';

const config = renderIgnition({ version: '3.3.0', hostname: 'h', user: 'core', passwordHash: hashPassword('x'), authorizedKeys: [generateKeyPair('a@b').publicKey], hostKey: generateKeyPair('root@h') });
const text = stringifyLocated(config).text;

for (const encoding of ['base64', 'gzip+base64'] as const) {
  test(`VMware guestinfo keys (${encoding}) decode to the config, which still passes ignition-validate`, async (t) => {
    const keys = ignitionGuestinfo(text, encoding);
    t.deepEqual(Object.keys(keys).sort(), ['guestinfo.ignition.config.data', 'guestinfo.ignition.config.data.encoding']);
    t.is(keys['guestinfo.ignition.config.data.encoding'], encoding);
    t.regex(keys['guestinfo.ignition.config.data']!, /^[A-Za-z0-9+/]+=*$/);
    // the outside decoders: base64(1) and gzip(1), as Ignition's vmware provider decodes
    const shell = encoding === 'base64' ? 'base64 -d' : 'base64 -d | gzip -dc';
    const decoded = execFileSync('sh', ['-c', shell], { input: keys['guestinfo.ignition.config.data'], encoding: 'utf8' });
    t.is(decoded, text);
    t.is(decodeIgnitionGuestinfo(keys), text);
    t.true((await validateIgnition(JSON.parse(decoded) as Record<string, unknown>)).valid);
  });
}

test('gzip+base64 is the smaller of the two', (t) => {
  t.true(ignitionGuestinfo(text)['guestinfo.ignition.config.data']!.length < ignitionGuestinfo(text, 'base64')['guestinfo.ignition.config.data']!.length);
});

test('an unknown encoding is refused as Ignition would', (t) => {
  t.throws(() => decodeIgnitionGuestinfo({ 'guestinfo.ignition.config.data': 'x', 'guestinfo.ignition.config.data.encoding': 'zstd' }), { message: /unsupported/ });
});
