import test from 'ava';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rosterCsv, rosterHtml, rosterJson, rosterMarkdown, sshCommand, type Roster } from '../../lab/roster/index.js';
import { parseCsv } from '../helpers/csv.js';
import { chromiumPath, pdfPages, pdfText, printToPdf, screenshot } from '../fixtures/chromium.js';

function roster(count: number): Roster {
  const entries = Array.from({ length: count }, (_, i) => {
    const port = 40_000 + i;
    const vm = `student-${String(i + 1).padStart(2, '0')}`;
    return { vm, address: '127.0.0.1', port, user: 'student', password: `pw${i + 1}-abcd-efgh`, ssh: sshCommand('student', '127.0.0.1', port), verified: true };
  });
  return { lab: 'classroom', entries };
}

test('ssh commands name the port only when it is not 22', (t) => {
  t.is(sshCommand('student', '127.0.0.1', 2222), 'ssh -p 2222 student@127.0.0.1');
  t.is(sshCommand('student', '192.168.122.10', 22), 'ssh student@192.168.122.10');
});

test('CSV: a header and one row per VM, quoting what needs it', (t) => {
  const r = roster(2);
  r.entries[1]!.password = 'has,comma "and quotes"';
  const rows = parseCsv(rosterCsv(r));
  t.deepEqual(rows[0], ['vm', 'address', 'port', 'user', 'password', 'ssh']);
  t.deepEqual(rows[1], ['student-01', '127.0.0.1', '40000', 'student', 'pw1-abcd-efgh', 'ssh -p 40000 student@127.0.0.1']);
  t.is(rows[2]![4], 'has,comma "and quotes"');
  t.is(rows.length, 3);
});

test('Markdown: a table whose cells cannot break it', (t) => {
  const r = roster(1);
  r.entries[0]!.password = 'a|b';
  const md = rosterMarkdown(r);
  t.true(md.includes('| VM | Address | Port | User | Password | SSH |'));
  t.true(md.includes('| student-01 | 127.0.0.1 | 40000 | student | `a\\|b` | `ssh -p 40000 student@127.0.0.1` |'), md);
  t.is(md.split('\n').filter((line) => line.startsWith('| student')).length, 1);
});

test('JSON round-trips the roster', (t) => {
  const r = roster(3);
  t.deepEqual(JSON.parse(rosterJson(r)), r);
});

test('HTML escapes what it prints', (t) => {
  const r = roster(1);
  r.entries[0]!.password = '<b>&"x"';
  const html = rosterHtml(r);
  t.false(html.includes('<b>&"x"'));
  t.true(html.includes('&#60;b&#62;&#38;&#34;x&#34;'));
});

for (const paper of ['a4', 'letter'] as const) {
  test(`HTML prints in headless Chromium on ${paper}: eight cards a sheet, every login readable`, async (t) => {
    const chromium = await chromiumPath();
    if (!chromium) return t.fail('headless Chromium is needed: apt-get install chromium poppler-utils (scripts/setup-host)');
    const dir = await mkdtemp(join(tmpdir(), 'atomlab-roster-'));
    const html = join(dir, 'roster.html');
    const r = roster(9);
    await writeFile(html, rosterHtml(r, { paper }));
    await printToPdf(chromium, html, join(dir, 'roster.pdf'));
    const info = await pdfPages(join(dir, 'roster.pdf'));
    t.is(info.pages, 2, '9 cards: one full sheet of 8, and one more');
    t.regex(info.size, paper === 'a4' ? /\(A4\)/ : /\(letter\)/);
    const text = await pdfText(join(dir, 'roster.pdf'));
    for (const entry of r.entries) {
      t.true(text.includes(entry.vm), entry.vm);
      t.true(text.includes(entry.password!), `${entry.vm}'s password is on the page`);
      t.true(text.includes(`port ${entry.port}`));
    }
  });
}

test('HTML screenshot in headless Chromium: a PNG of the asked size with content', async (t) => {
  const chromium = await chromiumPath();
  if (!chromium) return t.fail('headless Chromium is needed: apt-get install chromium (scripts/setup-host)');
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-roster-'));
  const html = join(dir, 'roster.html');
  await writeFile(html, rosterHtml(roster(6)));
  const png = join(dir, 'roster.png');
  await screenshot(chromium, html, png, { width: 800, height: 1000 });
  const bytes = await readFile(png);
  t.deepEqual([...bytes.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
  t.is(bytes.readUInt32BE(16), 800, 'width');
  t.is(bytes.readUInt32BE(20), 1000, 'height');
  t.true((await stat(png)).size > 20_000, 'a page with content, not a blank image');
});
