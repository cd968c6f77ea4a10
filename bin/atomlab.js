#!/usr/bin/env node
// The composition root: the providers this atomlab has meet the engine's CLI here, and only here.
import { runCli } from '../dist/lab/cli/main.js';
import { providers } from '../dist/providers/registry.js';

await runCli(process.argv, { providers });
