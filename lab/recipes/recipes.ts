import { fileURLToPath } from 'node:url';
import type { ToolName } from '../host/index.js';

/** A test guest built from Debian packages by a script in images/recipes/<name>/. */
export interface RecipeInfo {
  name: string;
  description: string;
  /** The user cloud-init creates by default. */
  defaultUser: string;
  /** Host programs the build needs (besides bash). */
  tools: ToolName[];
}

const DISK_TOOLS: ToolName[] = ['apt-get', 'dpkg', 'mke2fs', 'sfdisk', 'extlinux', 'losetup', 'qemu-img'];

export const RECIPES: readonly RecipeInfo[] = [
  {
    name: 'tiny',
    description: 'Atomic-like host (busybox, dropbear, NoCloud consumer, rpm-ostree stand-in); boots in seconds',
    defaultUser: 'fedora',
    tools: DISK_TOOLS,
  },
  {
    name: 'cloudinit',
    description: 'Debian 12 with real cloud-init (NoCloud) and openssh-server',
    defaultUser: 'fedora',
    tools: ['mmdebstrap', ...DISK_TOOLS],
  },
  {
    name: 'ignition',
    description: 'Debian 12 whose dracut initramfs runs Debian\'s Ignition on first boot (config from QEMU fw_cfg), then systemd and openssh-server',
    defaultUser: 'core',
    tools: ['mmdebstrap', ...DISK_TOOLS],
  },
];

/** Where the recipes live: images/recipes/ at the package root (this file is dist/lab/recipes/). */
export function recipesRoot(): string {
  return fileURLToPath(new URL('../../../images/recipes/', import.meta.url));
}

export function findRecipe(name: string): RecipeInfo | undefined {
  return RECIPES.find((recipe) => recipe.name === name);
}
