import { AtomlabError } from './atomlab-error.js';

/** True when the error, or one of its causes, is a full disk (ENOSPC) or quota (EDQUOT). */
export function isNoSpace(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT' || /no space left on device/i.test(e.message)) return true;
  }
  return false;
}

/**
 * A full disk as users should read it: which directory's filesystem is full, and what to do.
 * The errno alone (`ENOSPC: no space left on device, write`) names no path.
 */
export function noSpaceError(dir: string, doing: string, cause: unknown, hint?: string): AtomlabError {
  return new AtomlabError(`no space left on device in ${dir} (${doing})`, {
    code: 'IO',
    cause,
    context: { file: dir },
    hint: hint ?? `free space on that filesystem (df -h ${dir}), then try again`,
  });
}
