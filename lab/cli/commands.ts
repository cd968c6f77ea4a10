import type { Command } from 'commander';
import { register as init } from './init.js';
import { register as validate } from './validate.js';
import { register as schema } from './schema.js';
import { register as images } from './images.js';
import { register as doctor } from './doctor.js';

/** Every command atomlab offers registers itself here; each lives in lab/cli/<command>.ts. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [init, validate, schema, images, doctor];
