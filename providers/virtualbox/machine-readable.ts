/**
 * VBoxManage's `--machinereadable` output: one `key=value` per line, where keys with characters
 * outside [A-Za-z0-9_] are quoted (`"SATA-0-0"="/path"`, `Forwarding(0)="ssh,tcp,…"`) and string
 * values are quoted while numbers are not (`memory=512`). [src: VBoxManageInfo.cpp outputMachineReadable*]
 */
export function parseMachineReadable(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^("(?:[^"\\]|\\.)*"|[^=]+)=(.*)$/.exec(line.trimEnd());
    if (!match) continue;
    values.set(unquote(match[1]!), unquote(match[2]!));
  }
  return values;
}

function unquote(text: string): string {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1).replace(/\\(["\\])/g, '$1');
  return text;
}

/** Quotes a value the way VBoxManage does (the fake writes with it, the provider reads with the parser). */
export function quoteValue(value: string | number): string {
  return typeof value === 'number' ? String(value) : `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

/** One NAT rule, as `modifyvm --natpf1` takes it and `Forwarding(N)=` returns it. */
export interface NatRule {
  name: string;
  protocol: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
  guestIp: string;
  guestPort: number;
}

export function formatNatRule(rule: NatRule): string {
  return [rule.name, rule.protocol, rule.hostIp, rule.hostPort, rule.guestIp, rule.guestPort].join(',');
}

export function parseNatRule(text: string): NatRule | undefined {
  const parts = text.split(',');
  if (parts.length !== 6 || (parts[1] !== 'tcp' && parts[1] !== 'udp')) return undefined;
  const hostPort = Number(parts[3]);
  const guestPort = Number(parts[5]);
  if (!Number.isInteger(hostPort) || !Number.isInteger(guestPort)) return undefined;
  return { name: parts[0]!, protocol: parts[1], hostIp: parts[2]!, hostPort, guestIp: parts[4]!, guestPort };
}

/** The `Forwarding(N)` rules of a `showvminfo --machinereadable` (NIC 1: VirtualBox lists all NICs' rules). */
export function natRules(info: Map<string, string>): NatRule[] {
  const rules: NatRule[] = [];
  for (const [key, value] of info) {
    if (!/^Forwarding\(\d+\)$/.test(key)) continue;
    const rule = parseNatRule(value);
    if (rule) rules.push(rule);
  }
  return rules;
}

/** Snapshot names from `snapshot VM list --machinereadable` (`SnapshotName`, `SnapshotName-1`, `SnapshotName-1-1`, …). */
export function snapshotNames(info: Map<string, string>): string[] {
  return [...info].filter(([key]) => /^SnapshotName(-\d+)*$/.test(key)).map(([, value]) => value);
}
