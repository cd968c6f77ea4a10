import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join, normalize } from 'node:path';

/** Serves a directory's files over HTTP on 127.0.0.1 (the guest reaches it at 10.0.2.2). */
export async function serveDirectory(dir: string): Promise<{ port: number; server: Server }> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = join(dir, path);
    stat(file).then(
      (info) => {
        if (!info.isFile() || path.includes('..')) throw new Error('not a file');
        response.writeHead(200, { 'content-length': info.size });
        createReadStream(file).pipe(response);
      },
      () => {
        response.writeHead(404);
        response.end();
      },
    ).catch(() => {
      response.writeHead(404);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server };
}
