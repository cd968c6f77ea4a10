import { connect } from 'node:net';

/**
 * The SSH server's identification line, or undefined. Under QEMU user networking a forwarded
 * port accepts connections before the guest listens, so only the banner proves sshd is there.
 */
export function sshBanner(host: string, port: number, timeoutMs = 5000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let data = '';
    const done = (banner: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(banner);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const line = /^(SSH-[^\r\n]*)\r?\n/m.exec(data);
      if (line) done(line[1]);
    });
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
  });
}
