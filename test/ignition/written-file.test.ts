import test from 'ava';
import { generateKeyPair } from '../../lab/cidata/index.js';
import { dataUrl, dataUrlBytes, HOST_KEY_PUB, ignitionHostKey, mergeIgnition, renderIgnition, writtenFile } from '../../lab/ignition/index.js';

test('data URLs read back as Ignition reads contents.source: percent-encoded text, base64 bytes; other URLs are not read', (t) => {
  for (const content of ['plain text\n', 'grüße — ✓\n', '100% "quoted" & spaced\n']) t.is(dataUrlBytes(dataUrl(content))?.toString('utf8'), content);
  t.deepEqual(dataUrlBytes('data:text/plain;charset=utf-8;base64,AAEC'), Buffer.from([0, 1, 2]));
  t.is(dataUrlBytes('https://example.test/file'), undefined);
});

test('the host key an Ignition config writes is its pin; a fragment that replaces the file wins, as in Ignition\'s merge', (t) => {
  const hostKey = generateKeyPair('root@h');
  const config = renderIgnition({ version: '3.3.0', hostname: 'h', user: 'core', authorizedKeys: [], hostKey });
  t.is(ignitionHostKey(config), hostKey.publicKey);
  t.is(writtenFile(config, '/etc/hostname')?.toString(), 'h\n');
  const other = generateKeyPair('root@other').publicKey;
  const replaced = mergeIgnition(config, { storage: { files: [{ path: HOST_KEY_PUB, contents: { source: dataUrl(`${other}\n`) } }] } });
  t.is(ignitionHostKey(replaced), other);
  t.is(ignitionHostKey(renderIgnition({ version: '3.3.0', hostname: 'h', user: 'core', authorizedKeys: [] })), undefined, 'no host key given: nothing pinned from the config');
});
