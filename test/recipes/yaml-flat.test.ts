import test from 'ava';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import YAML from 'yaml';
import { generateKeyPair, renderSeed } from '../../lab/cidata/index.js';
import { which } from '../../lab/host/index.js';
import { recipesRoot } from '../../lab/recipes/index.js';
import { propertyParameters } from '../helpers/property.js';

// The tiny guest reads cloud-config with busybox awk (yaml-flat.awk); the yaml library, which
// writes atomlab's seeds, reads the same text as the judge of what it means.
const AWK = join(recipesRoot(), 'tiny', 'guest', 'usr', 'lib', 'tiny', 'yaml-flat.awk');
const busybox = await which('busybox');
const withBusybox = busybox ? test : test.skip;

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

function flatten(value: Value, path: string, out: string[]): string[] {
  if (Array.isArray(value)) value.forEach((item, i) => flatten(item, path ? `${path}.${i}` : String(i), out));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) flatten(item, path ? `${path}.${key}` : key, out);
  } else out.push(`${path}\t${String(value)}`);
  return out;
}

function awkFlat(yaml: string): { lines: string[]; status: number | null; stderr: string } {
  const result = spawnSync(busybox ?? 'busybox', ['awk', '-f', AWK], { input: yaml, encoding: 'utf8' });
  const unescape = (s: string) => s.replace(/\\(\\|n|t)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
  const lines = result.stdout.split('\n').filter((l) => l !== '').map((l) => {
    const tab = l.indexOf('\t');
    return `${l.slice(0, tab)}\t${unescape(l.slice(tab + 1))}`;
  });
  return { lines, status: result.status, stderr: result.stderr };
}

const key = fc.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/);
// Not covered: a line of a multi-line string that starts with a tab (the yaml library then
// writes the tab where block indentation is expected; no seed atomlab writes has one).
const noLeadingTabLine = (s: string) => !s.includes('\n') || !/(^|\n)\t/.test(s);
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'abc xyz:#-\'"\\/{}[]|>&*!%@`,?=~0123456789\n\t'.split('')), maxLength: 60 })
    .filter(noLeadingTabLine),
  fc.string({ unit: fc.constantFrom('a', 'b', ' '), minLength: 60, maxLength: 200 }),
  fc.constantFrom('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm0C5Q8l3ZxvKQb9v1i3m0P9y0w8t0Q5xH3yJ0m9Xc user@host', '  indented\nlines\n', 'yes', '0644', ''),
);
const scalar = fc.oneof(text, fc.integer(), fc.boolean());
const value: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { minLength: 1, maxLength: 4 }),
    fc.dictionary(key, tie('value'), { minKeys: 1, maxKeys: 4 }),
  ),
})).value;

const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm0C5Q8l3ZxvKQb9v1i3m0P9y0w8t0Q5xH3yJ0m9Xc user@host';
const hostKey = generateKeyPair('yaml-flat');
const seedInput = fc.record({
  hostname: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
  instanceId: fc.stringMatching(/^iid-[a-z0-9-]{1,20}$/),
  user: fc.stringMatching(/^[a-z_][a-z0-9_-]{0,8}$/),
  password: fc.option(text, { nil: undefined }),
  authorizedKeys: fc.array(fc.constantFrom(SSH_KEY, `${SSH_KEY}\n`), { maxLength: 2 }),
  hostKey: fc.option(fc.constant(hostKey), { nil: undefined }),
  cloudConfig: fc.dictionary(key, value, { maxKeys: 6 }),
  metaData: fc.dictionary(key, value, { maxKeys: 3 }),
});

/**
 * What awk read differs from what the yaml library reads in the same text (undefined when they
 * agree). The library reading the text is the judge, not the data the text was written from: the
 * writer does not always round-trip (it writes " \n" as a `|+` block whose only line is blank,
 * which means "\n" to any YAML reader, the yaml library and awk included).
 */
function disagreement(yaml: string, version: '1.1' | '1.2'): string | undefined {
  const got = awkFlat(yaml);
  const want = flatten(YAML.parse(yaml, { version }) as Value, '', []);
  if (got.status === 0 && JSON.stringify(got.lines) === JSON.stringify(want)) return undefined;
  return `awk (exit ${got.status}) ${got.stderr}read:\n${got.lines.join('\n')}\nthe yaml library read:\n${want.join('\n')}\nfrom:\n${yaml}`;
}

function check(found: string | undefined): void {
  if (found) throw new Error(found);
}

// What the guest has to read: the seeds atomlab renders (YAML 1.1, no line folding: renderSeed's
// own serializer), with any cloud-config and meta-data a scenario can add.
withBusybox('yaml-flat.awk reads every seed atomlab renders', (t) => {
  fc.assert(
    fc.property(seedInput, (input) => {
      const { userData, metaData } = renderSeed(input);
      check(disagreement(userData, '1.1'));
      check(disagreement(metaData, '1.1'));
    }),
    { ...propertyParameters(100), includeErrorInReport: true },
  );
  t.pass();
});

// Wider than the seeds: the yaml library's defaults fold long lines (folded > blocks, double-quoted
// strings over several lines), which the reader also understands, for seeds written by hand.
withBusybox('yaml-flat.awk reads what the yaml library writes (block style, default options)', (t) => {
  fc.assert(
    fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 6 }), (doc) => check(disagreement(`#cloud-config\n${YAML.stringify(doc)}`, '1.2'))),
    { ...propertyParameters(100), includeErrorInReport: true },
  );
  t.pass();
});

withBusybox('yaml-flat.awk reads a cloud-localds style seed with comments and flow lists', (t) => {
  const yaml = '#cloud-config\n# a comment\nusers: [default]\nhostname: h1 # trailing\nempty: []\nruncmd:\n- echo a\n- [sh, -c, "echo b"]\n';
  t.deepEqual(awkFlat(yaml).lines, ['users.0\tdefault', 'hostname\th1', 'runcmd.0\techo a', 'runcmd.1.0\tsh', 'runcmd.1.1\t-c', 'runcmd.1.2\techo b']);
});
