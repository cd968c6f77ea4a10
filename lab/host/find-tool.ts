import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execFile } from 'node:child_process';
import { AtomlabError } from '../errors/index.js';
import { TOOLS, installHint, type ToolName, type ToolSpec } from './tools.js';

/** The absolute path of a program on PATH, or undefined. */
export async function which(bin: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, bin);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** The path of a known tool, or an error that says which package installs it (exit 3). */
export async function requireTool(name: ToolName): Promise<string> {
  const spec: ToolSpec = TOOLS[name];
  const found = await which(spec.bin);
  if (found) return found;
  throw new AtomlabError(`${spec.bin} not found: it ${spec.purpose}`, {
    code: 'MISSING_TOOL',
    hint: installHint(spec),
    context: { command: spec.bin },
  });
}

export interface ToolReport {
  name: string;
  found: boolean;
  path?: string;
  version?: string;
  purpose: string;
  package?: string;
  install?: string;
}

/** Runs a program and returns stdout+stderr, never throwing (version probes exit non-zero sometimes). */
function captureOutput(file: string, args: string[], timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (_err, stdout, stderr) => {
      resolve(`${stdout ?? ''}${stderr ?? ''}`);
    });
  });
}

/** Finds a tool and reads its version. */
export async function inspectTool(name: string, spec: ToolSpec): Promise<ToolReport> {
  const path = await which(spec.bin);
  const base = { name, purpose: spec.purpose, package: spec.debianPackage };
  if (!path) return { ...base, found: false, install: installHint(spec) };
  const output = await captureOutput(path, spec.versionArgs);
  const version = spec.versionPattern.exec(output)?.[1] || undefined;
  return { ...base, found: true, path, version };
}
