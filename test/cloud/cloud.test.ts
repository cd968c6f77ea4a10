import test from 'ava';
import { stringify } from 'yaml';
import { cloudUserData, formatEta, labTag, newConsoleLines, pinnedHostKey } from '../../lab/cloud/index.js';
import { generateKeyPair } from '../../lab/cidata/index.js';
import { renderIgnition, stringifyLocated } from '../../lab/ignition/index.js';

test('a lab\'s tag is its name and a hash of its state directory: two checkouts never share one', (t) => {
  t.regex(labTag({ name: 'class', stateDir: '/a/.atomlab' }), /^class\.[0-9a-f]{8}$/);
  t.not(labTag({ name: 'class', stateDir: '/a/.atomlab' }), labTag({ name: 'class', stateDir: '/b/.atomlab' }));
  t.is(labTag({ name: 'class', stateDir: '/a/.atomlab' }), labTag({ name: 'class', stateDir: '/a/.atomlab' }));
});

test('the pinned host key comes from the cloud-config, also inside a MIME multi-part', (t) => {
  const config = `#cloud-config\n${stringify({ ssh_keys: { ed25519_public: 'ssh-ed25519 AAAAC3Nza host\n' } })}`;
  t.is(pinnedHostKey(config), 'ssh-ed25519 AAAAC3Nza host');
  const mime = `Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/cloud-config\n\n${config}\n--b\nContent-Type: text/x-shellscript\n\n#!/bin/sh\n--b--\n`;
  t.is(pinnedHostKey(mime), 'ssh-ed25519 AAAAC3Nza host');
  t.is(pinnedHostKey('#!/bin/sh\necho hi\n'), undefined);
});

test('an Ignition config as user-data: the pin is the host key file it writes; a seed reaches a cloud as user-data or as the config itself', (t) => {
  const hostKey = generateKeyPair('root@vm1');
  const text = stringifyLocated(renderIgnition({ version: '3.3.0', hostname: 'vm1', user: 'core', authorizedKeys: [], hostKey })).text;
  t.is(pinnedHostKey(text), hostKey.publicKey);
  t.is(pinnedHostKey('{"not": "ignition"}'), undefined);
  t.is(pinnedHostKey('{ broken'), undefined);
  t.is(cloudUserData({ kind: 'ignition', transport: 'ignition', fwcfgName: 'opt/com.coreos/config', path: '/x/config.ign', text }), text);
  t.is(cloudUserData({ kind: 'userdata', transport: 'userdata', text: '#cloud-config\n' }), '#cloud-config\n');
  t.is(cloudUserData({ kind: 'keys', transport: 'guestinfo', keys: {} }), undefined);
});

test('console lines: only the new ones; a console that no longer starts with the last text starts over', (t) => {
  t.deepEqual(newConsoleLines('a\nb\n', 'a\nb\nc\nd\n'), ['c', 'd']);
  t.deepEqual(newConsoleLines('a\nb\n', 'x\ny\n'), ['x', 'y']);
});

test('ETA as minutes and seconds, or ? before a rate is known', (t) => {
  t.is(formatEta(65), '1m05s');
  t.is(formatEta(42.4), '42s');
  t.is(formatEta(undefined), '?');
});
