import test from 'ava';
import { execa, type ResultPromise } from 'execa';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath } from '../fixtures/chromium.js';
import { labDir, processesMentioning } from '../helpers/lab.js';
import { BIN, runCli } from '../helpers/run-cli.js';

// One 2-VM tiny lab on QEMU behind the page, in Debian's Chromium (playwright-core, never a
// downloaded browser): the dashboard follows an `up` and a `run` made by other processes, its
// reset button changes the VM's boot_id, its revert button goes back to a snapshot, a VM killed
// outside atomlab shows as crashed and its recreate button makes it anew; foreign requests are
// refused and the page asks nothing of any other origin (it works offline). The run's HTML
// report is rendered in the same browser. Screenshots (desktop, projector, phone, roster, report)
// go to a temporary directory (printed), never the tree.
const LONG = { timeoutMs: 20 * 60_000 };
const SCENARIO = `name: dash
defaults:
  image: tiny
  memory: 256MiB
  login: { password: generate }
vms:
  - name: web
  - name: db
steps:
  - name: kernel answers
    run: uname -s
    expect: { stdout: { contains: Linux } }
  - name: fails on purpose
    run: echo the last words; echo went wrong >&2; exit 3
    on: db
`;

let browser: Browser | undefined;
let dashboard: ResultPromise | undefined;
test.after.always(async () => {
  await browser?.close();
  dashboard?.kill('SIGTERM');
});

/** Starts `atomlab dashboard` and reads the URL it prints. */
async function startDashboard(dir: string): Promise<string> {
  dashboard = execa(process.execPath, [BIN, 'dashboard', join(dir, 'atomlab.yaml')], { cwd: dir, reject: false, stdin: 'ignore' });
  let out = '';
  for await (const chunk of dashboard.stdout!) {
    out += String(chunk);
    const url = /http:\/\/\S+\?token=\S+/.exec(out)?.[0];
    if (url) return url;
  }
  throw new Error(`atomlab dashboard printed no URL: ${out}`);
}

const bootId = async (file: string, vm: string) => (await runCli(['ssh', vm, '-s', file, '--', 'cat', '/proc/sys/kernel/random/boot_id'], LONG)).stdout.trim();

/** Polls a reading until it satisfies the check (a live page changes on its own). */
async function until(read: () => Promise<string | null>, check: (value: string) => boolean, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = (await read()) ?? '';
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting; last value: ${value}`);
    await setTimeout(500);
  }
}

function card(page: Page, vm: string) {
  return page.locator(`article[data-vm="${vm}"]`);
}

test('the dashboard follows a lab other processes bring up and run; reset, revert and recreate (of a VM killed outside atomlab, shown crashed) work from the page; requests without its token are refused', async (t) => {
  const executablePath = await chromiumPath();
  if (!executablePath) return t.fail('Debian\'s chromium is missing: scripts/setup-host installs it');
  const shots = await mkdtemp(join(tmpdir(), 'atomlab-dashboard-shots-'));
  t.log(`screenshots: ${shots}`);
  const { dir, file } = await labDir(SCENARIO);
  try {
    const url = await startDashboard(dir);
    t.regex(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    const base = url.slice(0, url.indexOf('?'));

    // every request needs the token; changing ones are POSTs with it, from no other origin
    t.is((await fetch(base)).status, 403, 'no token');
    t.is((await fetch(`${base}?token=wrong`)).status, 403, 'a wrong token');
    t.is((await fetch(`${base}api/lab?token=${'x'.repeat(43)}`)).status, 403);
    const token = new URL(url).searchParams.get('token')!;
    const action = (headers: Record<string, string>) => fetch(`${base}api/vms/web/actions`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{"kind":"reset"}' });
    t.is((await action({})).status, 403, 'a POST without the token header');
    t.is((await action({ 'X-Atomlab-Token': token, Origin: 'http://evil.example' })).status, 403, 'a POST from another origin');
    t.is((await fetch(`${base}api/vms/web/actions?token=${token}`)).status, 405, 'actions are never GETs');

    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('dialog', (dialog) => void dialog.accept(dialog.type() === 'prompt' ? dialog.defaultValue() : undefined));
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    t.is((await page.goto(`${base}?token=nope`))?.status(), 403);
    await page.goto(url);

    // another process brings the lab up: the cards appear and go from booting to verified
    const up = runCli(['up', file], LONG);
    await card(page, 'web').waitFor({ timeout: 120_000 });
    await card(page, 'db').waitFor();
    const consoleText = () => card(page, 'web').locator('pre.console').textContent();
    const early = await until(consoleText, (text) => text.length > 0, 300_000);
    await page.screenshot({ path: join(shots, '1-booting.png'), fullPage: true });
    const upResult = await up;
    t.is(upResult.exitCode, 0, upResult.stderr);
    for (const vm of ['web', 'db']) await card(page, vm).and(page.locator('[data-state="verified"]')).waitFor({ timeout: 60_000 });
    await until(consoleText, (text) => text !== early, 120_000);
    t.regex((await consoleText()) ?? '', /Cloud-init v\. .* finished|login:|ssh/i, 'the console pane shows the boot as it happens');
    t.regex((await card(page, 'web').textContent()) ?? '', /verified \(key \+ password\)/);
    t.regex((await card(page, 'web').locator('.fingerprint').textContent()) ?? '', /^SHA256:/);
    t.regex((await card(page, 'web').locator('code.ssh').textContent()) ?? '', /^ssh -p \d+ fedora@127\.0\.0\.1$/);
    t.regex((await card(page, 'web').textContent()) ?? '', /up took\d[^(]*\(image [^)]*, boot to login \d/i, 'the time from start to a verified login');

    // the password is hidden until clicked
    const { stdout: rosterJson } = await runCli(['roster', file, '--format', 'json']);
    const password = (JSON.parse(rosterJson) as { entries: { vm: string; password: string }[] }).entries.find((e) => e.vm === 'web')!.password;
    t.false(((await page.textContent('body')) ?? '').includes(password));
    await card(page, 'web').locator('[data-reveal]').click();
    t.is(await card(page, 'web').locator('code.password').textContent(), password);

    // a step run by another process: steps pass and fail as they finish, with reports linked
    const report = join(dir, 'report.html');
    const run = await runCli(['run', file, '--junit', join(dir, 'report.xml'), '--html', report], LONG);
    t.is(run.exitCode, 1, 'one step fails on purpose');
    await page.locator('#run [data-outcome="failed"]').waitFor({ timeout: 30_000 });
    t.is(await page.locator('tr[data-step="1"] td[data-status="passed"]').count(), 2);
    t.is(await page.locator('tr[data-step="2"] td[data-status="failed"]').count(), 1);
    t.regex((await page.locator('#run .failure').textContent()) ?? '', /exit 3[^]*the last words[^]*went wrong/);
    for (const kind of ['html', 'junit', 'json']) t.is(await page.locator(`#run a[data-report="${kind}"]`).count(), 1, kind);
    const junit = await page.request.get(`${base}reports/junit?token=${token}`);
    t.is(await junit.text(), await readFile(join(dir, 'report.xml'), 'utf8'));
    await page.screenshot({ path: join(shots, '2-run.png'), fullPage: true });

    // the reset button: confirmation, progress, outcome; the guest really booted again
    const before = await bootId(file, 'web');
    await card(page, 'web').locator('button[data-action="reset"]').click();
    await card(page, 'web').locator('.action[data-action-state="running"]').waitFor({ timeout: 10_000 });
    await card(page, 'web').locator('.action[data-action-state="done"]').waitFor({ timeout: 600_000 });
    const after = await bootId(file, 'web');
    t.regex(before, /^[0-9a-f-]{36}$/);
    t.regex(after, /^[0-9a-f-]{36}$/);
    t.not(after, before, 'a new boot_id after the reset');
    t.is(await card(page, 'web').locator('.action').textContent(), `reset: booted again: boot_id ${before} → ${after}`);
    await page.screenshot({ path: join(shots, '3-reset.png'), fullPage: true });

    // the revert button: back to a snapshot taken with `atomlab snapshot`; what came after is gone
    t.is((await runCli(['snapshot', 'web', 'clean', '-s', file], LONG)).exitCode, 0);
    t.is((await runCli(['ssh', 'web', '-s', file, '--', 'touch', '/var/tmp/after-snapshot'], LONG)).exitCode, 0);
    await card(page, 'web').locator('button[data-action="revert"]').click();
    await card(page, 'web').locator('.action[data-action-state="done"]', { hasText: 'revert to clean' }).waitFor({ timeout: 300_000 });
    t.is(await card(page, 'web').locator('.action').textContent(), 'revert to clean: back at snapshot clean; login verified');
    t.is((await runCli(['ssh', 'web', '-s', file, '--', 'test', '!', '-e', '/var/tmp/after-snapshot'], LONG)).exitCode, 0, 'the file made after the snapshot is gone');

    // a VM killed outside atomlab shows as crashed; recreate makes it anew (the path of up --retries)
    process.kill(Number(await readFile(join(dir, '.atomlab/vms/db/qemu.pid'), 'utf8')), 'SIGKILL');
    await card(page, 'db').and(page.locator('[data-state="crashed"]')).waitFor({ timeout: 60_000 });
    t.is(await card(page, 'db').locator('button.urgent[data-action="recreate"]').count(), 1, 'recreate is the button to press');
    await page.screenshot({ path: join(shots, '4-crashed.png'), fullPage: true });
    await card(page, 'db').locator('button[data-action="recreate"]').click();
    await card(page, 'db').locator('.action[data-action-state="running"]').waitFor({ timeout: 10_000 });
    await card(page, 'db').locator('.action[data-action-state="done"]').waitFor({ timeout: 600_000 });
    t.is(await card(page, 'db').locator('.action').textContent(), 'recreate: made anew; login verified');
    await card(page, 'db').and(page.locator('[data-state="verified"]')).waitFor({ timeout: 60_000 });
    t.regex(await bootId(file, 'db'), /^[0-9a-f-]{36}$/);

    // the roster, printed from the page
    await page.click('#print');
    await page.frameLocator('#roster-frame').locator('.card').first().waitFor({ state: 'attached' });
    t.is(await page.frameLocator('#roster-frame').locator('.card').count(), 2);
    const roster = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await roster.goto(`${base}roster?token=${token}`);
    await roster.screenshot({ path: join(shots, '5-roster.png'), fullPage: true });

    // a projector and a phone
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: join(shots, '6-projector.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(shots, '7-phone.png'), fullPage: true });
    t.deepEqual(requested.filter((u) => !u.startsWith(base) && !u.startsWith('data:')), [], 'nothing from another origin: the page works offline');

    // the run's HTML report, in the same browser
    const reportPage = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await reportPage.goto(`file://${report}`);
    t.is(await reportPage.locator('tr.result[data-status="passed"]').count(), 2);
    t.is(await reportPage.locator('tr.result[data-status="failed"]').count(), 1);
    t.regex((await reportPage.locator('tr.result[data-status="failed"] pre').textContent()) ?? '', /exit status: 3[^]*the last words[^]*went wrong/);
    const widths = await reportPage.locator('.bar').evaluateAll((bars) => bars.map((bar) => bar.getBoundingClientRect().width));
    t.true(widths.every((w) => w > 0), 'a duration bar per step and VM');
    await reportPage.screenshot({ path: join(shots, '8-report.png'), fullPage: true });
    t.deepEqual(errors, [], 'no script errors on the page');
  } finally {
    const down = await runCli(['down', file], LONG);
    t.is(down.exitCode, 0, down.stderr);
    t.deepEqual((await processesMentioning(dir)).filter((line) => !line.includes(' dashboard ')), []);
  }
});
