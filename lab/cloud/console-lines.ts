/** New console lines since the last read; a cloud keeps only the latest part, so a text that no longer starts with the last one starts over. */
export function newConsoleLines(previous: string, current: string): string[] {
  const fresh = current.startsWith(previous) ? current.slice(previous.length) : current;
  return fresh.split(/\r?\n/).filter((line) => line.length > 0);
}

/** Seconds as `1m05s` or `42s`; `?` when not known yet. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.round(seconds)}s`;
}
