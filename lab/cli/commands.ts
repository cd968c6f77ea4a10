import type { Command } from 'commander';
import type { App } from './app.js';
import { register as init } from './init.js';
import { register as validate } from './validate.js';
import { register as schema } from './schema.js';
import { register as images } from './images.js';
import { register as doctor } from './doctor.js';
import { register as up } from './up.js';
import { register as status } from './status.js';
import { register as ssh } from './ssh.js';
import { register as consoleCommand } from './console.js';
import { register as down } from './down.js';
import { register as cidata } from './cidata.js';
import { register as snapshot } from './snapshot.js';
import { register as roster } from './roster.js';
import { register as run } from './run.js';

/** Every command atomlab offers registers itself here; each lives in lab/cli/<command>.ts. */
export type RegisterCommand = (program: Command, app: App) => void;

export const COMMANDS: RegisterCommand[] = [init, validate, schema, up, run, status, ssh, consoleCommand, snapshot, roster, down, images, cidata, doctor];
