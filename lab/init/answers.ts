import type { CatalogEntry } from '../catalog/index.js';
import type { DoctorReport } from '../doctor/index.js';

/** What the wizard asks for: plain data, rendered into a scenario by render-scenario.ts. */
export interface InitAnswers {
  name: string;
  image: string;
  provider: 'qemu' | 'libvirt';
  count: number;
  memory: string;
  user: string;
  /** A password, "generate", or empty for key login only. */
  password: string;
}

export interface ProviderChoice {
  name: InitAnswers['provider'];
  available: boolean;
  why: string;
}

function found(report: DoctorReport, name: string): boolean {
  return report.components.some((c) => c.name === name && c.found);
}

/** Which providers this host can run, from the doctor's findings. */
export function providerChoices(report: DoctorReport): ProviderChoice[] {
  const qemu = found(report, 'qemu-system-x86_64') && found(report, 'qemu-img');
  const libvirt = found(report, 'libvirt library (libvirt.so.0)') && found(report, 'libvirt daemon socket');
  return [
    { name: 'qemu', available: qemu, why: qemu ? 'QEMU run directly, no daemon' : 'qemu-system-x86 / qemu-utils missing' },
    { name: 'libvirt', available: libvirt, why: libvirt ? 'libvirtd answers' : 'libvirtd not reachable' },
  ];
}

/** Images a scenario can use (cloud-init and Ignition ones); the offline test guest first. */
export function imageChoices(entries: CatalogEntry[]): CatalogEntry[] {
  return [...entries].sort((a, b) => Number(b.id === 'tiny') - Number(a.id === 'tiny') || a.id.localeCompare(b.id));
}

export function defaultAnswers(dirName: string, entries: CatalogEntry[]): InitAnswers {
  const image = imageChoices(entries)[0];
  return {
    name: sanitizeName(dirName),
    image: image?.id ?? 'tiny',
    provider: 'qemu',
    count: 1,
    memory: `${image?.memory ?? 1024}MiB`,
    user: image?.user ?? 'fedora',
    password: '',
  };
}

/** A lab name from a directory name: letters, digits and dashes. */
export function sanitizeName(raw: string): string {
  const cleaned = raw.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return cleaned || 'atomic-lab';
}
