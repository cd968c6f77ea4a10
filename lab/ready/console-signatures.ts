/** What a console line can tell: fail fast, warn, or mark progress. */
export interface ConsoleSignature {
  pattern: RegExp;
  level: 'fail' | 'warn' | 'progress';
  /** For fail and warn: what it means to the user. For progress: the milestone's name. */
  meaning: string;
}

export const CONSOLE_SIGNATURES: ConsoleSignature[] = [
  { pattern: /Kernel panic - not syncing/, level: 'fail', meaning: 'the guest kernel panicked' },
  { pattern: /No bootable device/, level: 'fail', meaning: 'the disk does not boot (No bootable device)' },
  { pattern: /Boot failed: not a bootable disk/, level: 'fail', meaning: 'the disk does not boot (not a bootable disk)' },
  { pattern: /You are in emergency mode|Give root password for maintenance|Entering emergency mode/, level: 'fail', meaning: 'the guest dropped to an emergency shell' },
  { pattern: /dracut-initqueue.*timeout/, level: 'warn', meaning: 'the initramfs waited for a device that did not appear' },
  { pattern: /Failed to start .*[Cc]loud-init/, level: 'warn', meaning: 'a cloud-init service failed' },
  { pattern: /Cloud-init v\. \S+ finished at/, level: 'progress', meaning: 'cloud-init-finished' },
  { pattern: /-----BEGIN SSH HOST KEY FINGERPRINTS-----/, level: 'progress', meaning: 'host-keys-printed' },
];

export function matchSignature(line: string, table: ConsoleSignature[] = CONSOLE_SIGNATURES): ConsoleSignature | undefined {
  return table.find((signature) => signature.pattern.test(line));
}
