import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { AtomlabError, InvalidFileError } from '../errors/index.js';

/** Files larger than this are not scenarios or catalog entries (and are not read at all). */
export const MAX_YAML_BYTES = 1024 * 1024;
const MAX_TEXT = '1 MiB';

/** A problem with the file as a whole, at its first position. */
export function wholeFileProblem(file: string, message: string): InvalidFileError {
  return new InvalidFileError([{ file, line: 1, col: 1, message }]);
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** Refuses anything but a regular file of at most MAX_YAML_BYTES. */
function checkRegular(file: string, info: Stats): void {
  if (!info.isFile()) throw wholeFileProblem(file, `is ${kindOf(info)}, not a YAML file: give the path of a regular file`);
  if (info.size > MAX_YAML_BYTES) throw wholeFileProblem(file, `is ${info.size} bytes: larger than the ${MAX_TEXT} a YAML file here may hold`);
}

function cannotRead(file: string, error: NodeJS.ErrnoException): AtomlabError {
  if (error.code === 'ENOENT') {
    return new AtomlabError(`${file}: no such file`, {
      code: 'BAD_INPUT',
      hint: 'name an existing scenario file, or create one with `atomlab init`',
      context: { file },
    });
  }
  return new AtomlabError(`${file}: cannot read (${error.code ?? error.message})`, { code: 'BAD_INPUT', cause: error, context: { file } });
}

/** Reads at most `limit` + 1 bytes, so a file that grew after the check is still caught. */
async function readCapped(handle: FileHandle, limit: number): Promise<Buffer> {
  const buffer = Buffer.alloc(limit + 1);
  let length = 0;
  while (length < buffer.length) {
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return buffer.subarray(0, length);
}

/**
 * The bytes of a YAML input file. Only a regular file is opened: a named pipe, a device, a
 * socket or a directory is refused before reading (a FIFO is opened non-blocking and checked
 * again on the open descriptor, so a swap after the first check cannot make this wait).
 */
export async function readFileBytes(file: string): Promise<Buffer> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw cannotRead(file, error);
  });
  checkRegular(file, info);
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY).catch((error: NodeJS.ErrnoException) => {
    throw cannotRead(file, error);
  });
  try {
    checkRegular(file, await handle.stat());
    const bytes = await readCapped(handle, MAX_YAML_BYTES);
    if (bytes.length > MAX_YAML_BYTES) throw wholeFileProblem(file, `is larger than the ${MAX_TEXT} a YAML file here may hold`);
    return bytes;
  } finally {
    await handle.close();
  }
}
