import type { Command } from 'commander';
import { register as images } from './images.js';

/** Every command atomlab offers registers itself here; each lives in lab/cli/<command>.ts. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [images];
