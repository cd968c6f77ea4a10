import { AtomlabError } from '../../lab/errors/index.js';

/**
 * VBoxManage's argument names change between releases. 7.0 renamed the modifyvm options to
 * hyphenated forms (`--uart-mode1`, `--nat-pf1`, `--audio-controller`; the old names stay as
 * deprecated aliases) and replaced `--audio <driver>` with `--audio-driver` + `--audio-enabled`;
 * 7.1 added `createvm --platform-architecture`. 6.1 knows only the old names.
 * [src: VBoxManageModifyVM.cpp OPT2 table (new, old); man_VBoxManage-modifyvm.xml; packer-plugin-virtualbox
 * step_create_vm.go "The '--audio' argument was deprecated in v7.0.x"]
 */
export type VboxGeneration = '6.1' | '7.0' | '7.1';

export interface VboxVersion {
  /** As VBoxManage prints it: `7.0.14r161095`. */
  text: string;
  major: number;
  minor: number;
  generation: VboxGeneration;
}

/** Parses `VBoxManage --version`; older than 6.1 is refused (its media commands differ). */
export function parseVersion(output: string): VboxVersion {
  const text = output.trim().split('\n').pop()?.trim() ?? '';
  const match = /^(\d+)\.(\d+)\.\d+/.exec(text);
  if (!match) {
    throw new AtomlabError(`cannot read the VirtualBox version from "${text}"`, { code: 'FAILED', context: { provider: 'virtualbox', command: 'VBoxManage --version' } });
  }
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major < 6 || (major === 6 && minor < 1)) {
    throw new AtomlabError(`VirtualBox ${text} is too old: atomlab needs 6.1 or newer`, {
      code: 'MISSING_TOOL',
      hint: 'install VirtualBox 6.1 or 7.x from virtualbox.org',
      context: { provider: 'virtualbox' },
    });
  }
  const generation: VboxGeneration = major === 6 ? '6.1' : major === 7 && minor === 0 ? '7.0' : '7.1';
  return { text, major, minor, generation };
}

/** The option names one generation takes, so command lines are built in one place. */
export interface VboxFlags {
  generation: VboxGeneration;
  natpf(adapter: number): string;
  nicType(adapter: number): string;
  uartMode(port: number): string;
  rtcUseUtc: string;
  /**
   * modifyvm arguments that let the guest reach the host's 127.0.0.1 at 10.0.2.2: VirtualBox 7.0
   * stopped allowing it by default (`--nat-localhostreachable1`); 6.1 always allowed it.
   */
  natLocalhostReachable: string[];
  /** createvm arguments beyond name/basefolder/ostype/register. */
  createVmExtra: string[];
  /** modifyvm arguments that disable audio. */
  audioOff: string[];
  /** modifyvm arguments for an audio controller (`hda`, `ac97`) with the null host driver. */
  audioOn(controller: 'hda' | 'ac97'): string[];
}

const legacy: VboxFlags = {
  generation: '6.1',
  natpf: (n) => `--natpf${n}`,
  nicType: (n) => `--nictype${n}`,
  uartMode: (n) => `--uartmode${n}`,
  rtcUseUtc: '--rtcuseutc',
  natLocalhostReachable: [],
  createVmExtra: [],
  audioOff: ['--audio', 'none'],
  audioOn: (controller) => ['--audio', 'null', '--audiocontroller', controller],
};

const current: VboxFlags = {
  generation: '7.0',
  natpf: (n) => `--nat-pf${n}`,
  nicType: (n) => `--nic-type${n}`,
  uartMode: (n) => `--uart-mode${n}`,
  rtcUseUtc: '--rtc-use-utc',
  natLocalhostReachable: ['--nat-localhostreachable1', 'on'],
  createVmExtra: [],
  audioOff: ['--audio-enabled', 'off'],
  audioOn: (controller) => ['--audio-enabled', 'on', '--audio-driver', 'null', '--audio-controller', controller],
};

export function flagsFor(generation: VboxGeneration): VboxFlags {
  if (generation === '6.1') return legacy;
  if (generation === '7.0') return current;
  return { ...current, generation, createVmExtra: ['--platform-architecture', 'x86'] };
}
