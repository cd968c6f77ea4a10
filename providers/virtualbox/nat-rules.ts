import { AtomlabError } from '../../lab/errors/index.js';
import { freePort } from '../../lab/net/index.js';
import type { NatRule } from './machine-readable.js';

export interface PortRequest {
  guest: number;
  protocol: 'tcp' | 'udp';
  host: number | 'auto';
}

/** The SSH forward (rule `ssh`, as Vagrant names it) and one rule per scenario port. */
export async function natRulesFor(ports: PortRequest[], listen: string): Promise<{ rules: NatRule[]; auto: string[] }> {
  const rules: NatRule[] = [{ name: 'ssh', protocol: 'tcp', hostIp: listen, hostPort: await freePort(listen), guestIp: '', guestPort: 22 }];
  const auto = ['ssh'];
  for (const port of ports) {
    const name = `${port.protocol}-${port.guest}`;
    rules.push({ name, protocol: port.protocol, hostIp: listen, hostPort: port.host === 'auto' ? await freePort(listen) : port.host, guestIp: '', guestPort: port.guest });
    if (port.host === 'auto') auto.push(name);
  }
  return { rules, auto };
}

/** The same rules with new free host ports for the ones atomlab chose. */
export async function repick(rules: NatRule[], auto: string[], listen: string): Promise<NatRule[]> {
  const changed: NatRule[] = [];
  for (const rule of rules) if (auto.includes(rule.name)) changed.push({ ...rule, hostPort: await freePort(listen) });
  return changed;
}

export function portTaken(rules: NatRule[], auto: string[], cause: unknown): AtomlabError {
  const fixed = rules.filter((rule) => !auto.includes(rule.name)).map((rule) => `${rule.hostIp}:${rule.hostPort}`);
  return new AtomlabError('VirtualBox could not set up the NAT port forwards: a host port is in use', {
    code: 'FAILED',
    cause,
    hint: fixed.length ? `a fixed host port (${fixed.join(', ')}) is taken by another program: free it or use auto` : 'another program keeps taking the ports atomlab picks; try again',
    context: { provider: 'virtualbox', ...(cause instanceof AtomlabError ? cause.context : {}) },
  });
}
