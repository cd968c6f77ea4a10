/**
 * Chaos: repeats lab operations (the atomlab CLI as a child process, on the tiny guest) and kills
 * each at a uniformly random moment with SIGKILL, SIGINT or SIGTERM; after each kill `status`
 * must answer and show what is left, `down` must exit 0 and leave nothing found from outside
 * (processes, libvirt domains and volumes, listeners, files), and every few runs a fresh `up`
 * must reach a verified login. Prints one summary line, writes every run's record as JSON, and
 * exits 1 on any leak, failed down or failed recovery.
 * Run: npm run chaos -- --runs N [--seed S] [--ops up,classroom,run,down,pull,matrix]
 *        [--signals KILL,INT,TERM] [--recover-every K] [--durations op=s,…] [--json FILE] [--work DIR]
 * The JSON record is rewritten after every run; `touch WORK/stop` ends the suite after the current run.
 */
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseChaosArgs } from './chaos/options.js';
import { runChaos } from './chaos/run-chaos.js';

const options = parseChaosArgs(process.argv.slice(2));
console.log(`chaos: seed ${options.seed}, ${options.runs} runs of ${options.ops.join(',')} × ${options.signals.join(',')}, labs under ${options.workDir}`);
const stopFile = join(options.workDir, 'stop');
console.log(`to end early (after the current run, with the figures so far): touch ${stopFile}`);
const record = (summary: object) => writeFile(options.json, `${JSON.stringify(summary, null, 2)}\n`);
const summary = await runChaos({
  ...options,
  log: (line) => console.log(line),
  progress: record,
  stop: () => access(stopFile).then(() => true, () => false),
});
await record(summary);
console.log(`replay: ${summary.replay}`);
console.log(`record: ${options.json}`);
console.log(summary.line);
process.exitCode = summary.leaks + summary.failedDowns + summary.failedRecoveries > 0 ? 1 : 0;
