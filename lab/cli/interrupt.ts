/**
 * Ctrl-C (and SIGTERM) abort the running command through one AbortController: the engine stops
 * what it was starting, records the rest for `down`, and the command exits 130. A second
 * Ctrl-C exits at once.
 */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let count = 0;
  const onSignal = (name: NodeJS.Signals) => {
    count++;
    if (count > 1) process.exit(130);
    process.stderr.write(`\n${name}: stopping what was starting (Ctrl-C again to exit at once)\n`);
    controller.abort(new Error(`interrupted by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
