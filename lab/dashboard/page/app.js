// atomlab dashboard: plain DOM and server-sent events, no framework (the page is one view of
// one lab; nothing here needs more). Every text from the lab goes in through textContent.
const token = document.body.dataset.token;
const q = `token=${encodeURIComponent(token)}`;
const model = { lab: undefined, consoles: {}, actions: {}, revealed: new Set() };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  return node;
}

const seconds = (ms) => (ms >= 60000 ? `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s` : `${(ms / 1000).toFixed(1)} s`);

function row(label, ...value) {
  return el('div', { class: 'row' }, el('span', { class: 'k' }, label), el('span', { class: 'v' }, ...value));
}

const PHASES = { image: 'fetching image', disk: 'making disk', seed: 'writing seed', create: 'creating', start: 'starting', ready: 'booting', retrying: 'retrying', stopping: 'stopping' };

function stateOf(vm, progress) {
  const phase = progress && !progress.outcome ? progress.vms?.[vm.id] : undefined;
  if (vm.state === 'crashed') return { label: 'crashed', cls: 'bad' };
  if (phase && !['verified', 'unchanged', 'changed', 'failed', 'removed'].includes(phase.phase)) return { label: PHASES[phase.phase] ?? phase.phase, cls: 'busy', detail: phase.detail };
  if (vm.state === 'running' && vm.login.verified) return { label: 'verified', cls: 'good' };
  if (vm.state === 'unknown') return { label: 'unknown', cls: 'bad', detail: vm.error };
  if (vm.error) return { label: 'failed', cls: 'bad' };
  if (vm.state === 'missing') return { label: 'not created', cls: 'idle' };
  return { label: vm.state, cls: vm.state === 'running' ? 'busy' : 'idle' };
}

async function post(vm, body) {
  const response = await fetch(`/api/vms/${encodeURIComponent(vm)}/actions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Atomlab-Token': token },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) alert(`${body.kind} ${vm}: ${answer.error}`);
  else onAction(answer);
}

async function revert(vm) {
  const response = await fetch(`/api/vms/${encodeURIComponent(vm)}/snapshots?${q}`);
  const { snapshots = [], error } = await response.json();
  if (!response.ok) return alert(`snapshots of ${vm}: ${error}`);
  if (snapshots.length === 0) return alert(`${vm} has no snapshots (take one: atomlab snapshot ${vm} NAME)`);
  const name = prompt(`Revert ${vm} to which snapshot?\n${snapshots.join(', ')}`, snapshots[snapshots.length - 1]);
  if (name && confirm(`Revert ${vm} to snapshot "${name}"? What changed since is lost.`)) await post(vm, { kind: 'revert', snapshot: name });
}

/** Another atomlab's up or run working on the lab (the server refuses changes meanwhile). */
const otherCommand = (progress) => (progress && !progress.outcome ? `atomlab ${progress.command} (pid ${progress.pid}) is working on the lab` : undefined);

function buttons(vm, busy, progress) {
  const ask = (kind, question) => () => confirm(question) && post(vm.id, { kind });
  const other = otherCommand(progress);
  busy = busy || Boolean(other);
  return el('div', { class: 'buttons', title: other },
    el('button', { type: 'button', 'data-action': 'reset', disabled: busy || vm.state !== 'running', onclick: ask('reset', `Hard-reset ${vm.id}? Like the reset button: unsaved work in the VM is lost.`) }, 'Reset'),
    el('button', { type: 'button', 'data-action': 'revert', disabled: busy || vm.state === 'missing', onclick: () => revert(vm.id) }, 'Revert…'),
    el('button', { type: 'button', 'data-action': 'recreate', class: vm.error || vm.state === 'crashed' ? 'urgent' : undefined, disabled: busy, onclick: ask('recreate', `Destroy ${vm.id} and make it anew? Everything on its disk is lost.`) }, 'Recreate'));
}

function password(vm) {
  if (!vm.password) return el('span', { class: 'muted' }, 'key login only');
  if (model.revealed.has(vm.id)) return el('code', { class: 'password' }, vm.password);
  return el('button', { type: 'button', class: 'link', 'data-reveal': vm.id, onclick: () => { model.revealed.add(vm.id); render(); } }, 'show password');
}

// The phases `up` times before the guest boots; the rest of the total is the boot to a verified login.
const SETUP_PHASES = ['image', 'disk', 'seed', 'create', 'start'];

function timings(vm) {
  const t = vm.timings;
  if (!t?.total) return el('span', { class: 'muted' }, '–');
  const setup = SETUP_PHASES.filter((k) => t[k] !== undefined);
  const boot = t.total - setup.reduce((sum, k) => sum + t[k], 0);
  const parts = [...setup.map((k) => `${k} ${seconds(t[k])}`), `boot to login ${seconds(boot)}`];
  return el('span', {}, `${seconds(t.total)} `, el('span', { class: 'muted' }, `(${parts.join(', ')})`));
}

function actionLine(vm) {
  const action = model.actions[vm.id];
  if (!action) return undefined;
  const what = action.kind === 'revert' ? `revert to ${action.snapshot}` : action.kind;
  return el('div', { class: `action ${action.state}`, 'data-action-state': action.state }, `${what}: ${action.state === 'running' ? '… ' : ''}${action.detail}`);
}

function card(vm, progress) {
  const state = stateOf(vm, progress);
  const ssh = vm.ssh ? `ssh -p ${vm.ssh.port} ${vm.ssh.user}@${vm.ssh.host}` : undefined;
  const busy = model.actions[vm.id]?.state === 'running';
  return el('article', { class: `card ${state.cls}`, 'data-vm': vm.id, 'data-state': state.label },
    el('header', {}, el('h2', {}, vm.name), el('span', { class: `badge ${state.cls}` }, state.label)),
    el('div', { class: 'muted small' }, `${vm.provider}${vm.host ? ` on ${vm.host}` : ''}${state.detail ? ` · ${state.detail}` : ''}`),
    row('login', vm.login.verified ? `verified (${vm.login.methods.join(' + ') || 'key'})` : 'not verified'),
    row('ssh', ssh ? el('code', { class: 'ssh' }, ssh) : el('span', { class: 'muted' }, '–')),
    row('host key', vm.login.hostKey ? el('code', { class: 'fingerprint' }, vm.login.hostKey) : el('span', { class: 'muted' }, '–')),
    row('password', password(vm)),
    row('up took', timings(vm)),
    vm.error ? el('div', { class: 'error-line' }, vm.error) : undefined,
    el('pre', { class: 'console', 'data-console': vm.id, 'aria-label': `serial console of ${vm.id}` }, (model.consoles[vm.id] ?? []).join('\n')),
    actionLine(vm),
    buttons(vm, busy, progress));
}

function stepCell(step, vm, results) {
  const result = results.find((r) => r.step === step.step && r.vm === vm);
  if (result) return el('td', { class: `cell ${result.status}`, 'data-status': result.status, title: result.failure?.message ?? result.detail ?? '' }, result.status);
  if (step.state === 'running') return el('td', { class: 'cell running', 'data-status': 'running' }, step.doing[vm] ?? 'running');
  return el('td', { class: 'cell pending' }, '–');
}

function failureBlock(result) {
  const out = result.output ?? {};
  const tail = (text) => (text ?? '').trimEnd().split('\n').slice(-15).join('\n');
  const text = [out.command && `$ ${out.command}${out.exitCode != null ? `  (exit ${out.exitCode})` : ''}`, tail(out.stdout), tail(out.stderr)].filter(Boolean).join('\n');
  return el('details', { open: true, class: 'failure' }, el('summary', {}, `${result.vm}: ${result.failure?.message ?? 'failed'}`), el('pre', {}, text));
}

function runSection(progress) {
  const section = document.getElementById('run');
  section.replaceChildren();
  if (!progress) return (section.hidden = true);
  section.hidden = false;
  const running = !progress.outcome;
  const ended = progress.outcome === 'killed' ? 'ended without finishing (killed)' : progress.outcome;
  const title = `atomlab ${progress.command} ${running ? `running (pid ${progress.pid})` : ended}`;
  const results = progress.results ?? [];
  const totals = ['passed', 'failed', 'skipped'].map((s) => `${results.filter((r) => r.status === s).length} ${s}`).join(' · ');
  const links = [['HTML report', 'html', progress.reports?.html], ['JUnit', 'junit', progress.reports?.junit], ['JSON', 'json', progress.report]]
    .filter(([, , present]) => present)
    .map(([label, kind]) => el('a', { href: `/reports/${kind}?${q}`, target: '_blank', rel: 'noopener', 'data-report': kind }, label));
  section.append(el('h2', { class: `run-title ${running ? 'busy' : progress.outcome === 'passed' ? 'good' : 'bad'}`, 'data-outcome': progress.outcome ?? 'running' }, title));
  if (progress.command === 'run') section.append(el('div', { class: 'muted' }, totals), el('div', { class: 'links' }, links));
  if (!progress.steps?.length) return;
  const vms = [...new Set(progress.steps.flatMap((s) => s.vms))];
  section.append(el('div', { class: 'table-wrap' }, el('table', { class: 'steps' },
    el('thead', {}, el('tr', {}, el('th', {}, '#'), el('th', {}, 'step'), vms.map((vm) => el('th', {}, vm)))),
    el('tbody', {}, progress.steps.map((step) => el('tr', { 'data-step': step.step }, el('td', {}, step.step), el('td', {}, step.name), vms.map((vm) => (step.vms.includes(vm) ? stepCell(step, vm, results) : el('td', { class: 'cell' }, '')))))))));
  const failed = results.filter((r) => r.status === 'failed');
  if (failed.length) section.append(el('div', { class: 'failures' }, failed.map(failureBlock)));
}

function render() {
  const lab = model.lab;
  if (!lab) return;
  document.getElementById('lab').textContent = lab.lab || 'atomlab';
  document.title = `${lab.lab || 'lab'} · atomlab`;
  const where = (lab.serve ?? []).map((s) => `serve ${s.name}: ${s.running ? s.url : 'stopped'}`);
  document.getElementById('where').textContent = [lab.scenario, ...where].join(' · ');
  const error = document.getElementById('error');
  error.hidden = !lab.error;
  error.textContent = lab.error ?? '';
  runSection(lab.progress);
  const cards = document.getElementById('cards');
  const groups = lab.combinations ?? [{ key: undefined, lab: lab.lab }];
  cards.replaceChildren(...groups.map((group) => el('div', { class: 'group' },
    group.key ? el('h2', { class: 'combination' }, `${group.lab} `, el('span', { class: 'muted' }, Object.entries(group.values).map(([k, v]) => `${k}=${v}`).join(' '))) : undefined,
    el('div', { class: 'grid' }, lab.vms.filter((vm) => vm.combination === group.key).map((vm) => card(vm, lab.progress))))));
  for (const pre of cards.querySelectorAll('pre.console')) pre.scrollTop = pre.scrollHeight;
}

function onAction(action) {
  const known = model.actions[action.vm];
  if (known && known.id !== action.id && known.startedAt > action.startedAt) return;
  model.actions[action.vm] = action;
  render();
}

function onConsole({ vm, lines }) {
  const kept = (model.consoles[vm] ??= []);
  kept.push(...lines);
  kept.splice(0, Math.max(0, kept.length - 40));
  const pre = document.querySelector(`pre[data-console="${CSS.escape(vm)}"]`);
  if (!pre) return;
  pre.textContent = kept.join('\n');
  pre.scrollTop = pre.scrollHeight;
}

function connect() {
  const source = new EventSource(`/api/events?${q}`);
  source.addEventListener('lab', (e) => { model.lab = JSON.parse(e.data); render(); });
  source.addEventListener('consoles', (e) => { model.consoles = JSON.parse(e.data); render(); });
  source.addEventListener('console', (e) => onConsole(JSON.parse(e.data)));
  source.addEventListener('action', (e) => onAction(JSON.parse(e.data)));
  source.addEventListener('open', () => document.body.classList.remove('offline'));
  source.addEventListener('error', () => document.body.classList.add('offline'));
}

document.getElementById('print').addEventListener('click', () => {
  const frame = document.getElementById('roster-frame');
  frame.onload = () => frame.contentWindow?.print();
  frame.src = `/roster?${q}`;
});

// a phone turned or a window resized wraps the consoles anew: keep their last lines in view
window.addEventListener('resize', () => {
  for (const pre of document.querySelectorAll('pre.console')) pre.scrollTop = pre.scrollHeight;
});

connect();
