import test from 'ava';
import { createServer, type Socket } from 'node:net';
import { generateKeyPair } from '../../lab/cidata/index.js';
import { SshError, fingerprint, parsePublicKey, refuseImpostor, sshConnect } from '../../lab/ssh/index.js';
import { startImpostor } from '../fixtures/impostor-ssh.js';
import { freePort } from '../fixtures/libvirtd.js';

// Servers that misbehave after the SSH banner, the way a loaded guest's sshd can: every login
// attempt must end (with an SshError), never hang.
const host = generateKeyPair('root@test');
const user = generateKeyPair('test');

function server(onConnection: (socket: Socket) => void): Promise<{ port: number; close: () => void }> {
  const sockets: Socket[] = [];
  const listener = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  return new Promise((resolve) =>
    listener.listen(0, '127.0.0.1', () =>
      resolve({
        port: (listener.address() as { port: number }).port,
        close: () => {
          for (const socket of sockets) socket.destroy();
          listener.close();
        },
      }),
    ),
  );
}

const target = (port: number, timeoutMs: number) => ({ host: '127.0.0.1', port, user: 'u', privateKey: user.privateKey, hostKey: host.publicKey, timeoutMs });

test('a server that closes right after its banner fails the login', async (t) => {
  const s = await server((socket) => socket.end('SSH-2.0-dropbear_2022.83\r\n'));
  try {
    const error = await t.throwsAsync(sshConnect(target(s.port, 10_000)), { instanceOf: SshError });
    t.is(error.failure, 'unreachable');
  } finally {
    s.close();
  }
});

test('a server that goes quiet after its banner fails the login by the deadline', async (t) => {
  const s = await server((socket) => socket.write('SSH-2.0-dropbear_2022.83\r\n'));
  try {
    const error = await t.throwsAsync(sshConnect(target(s.port, 500)), { instanceOf: SshError });
    t.is(error.failure, 'timeout');
  } finally {
    s.close();
  }
});

test('a server with another host key is refused: the mismatch, the expected and the offered fingerprints, and what to do', async (t) => {
  const impostor = await startImpostor(await freePort());
  try {
    const error = await t.throwsAsync(sshConnect(target(impostor.port, 10_000)), { instanceOf: SshError });
    t.is(error.failure, 'host-key-mismatch');
    t.is(error.message, `host key mismatch at 127.0.0.1:${impostor.port}: expected ${fingerprint(parsePublicKey(host.publicKey).blob)} (the key atomlab gave the VM), offered ${impostor.fingerprint}`);
    t.regex(error.hint ?? '', new RegExp(`do not log in; see what listens there with: ss -ltnp 'sport = :${impostor.port}'`));
    await t.throwsAsync(refuseImpostor(target(impostor.port, 10_000)), { message: /host key mismatch/ }, 'before a stopped VM is started again');
  } finally {
    await impostor.close();
  }
  await t.notThrowsAsync(refuseImpostor(target(impostor.port, 10_000)), 'nothing answering is no impostor');
});
