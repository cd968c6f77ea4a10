import ssh2, { type ConnectConfig } from 'ssh2';

const { Client } = ssh2;

export interface Login {
  port: number;
  username: string;
  privateKey?: string;
  password?: string;
}

export interface SshResult {
  stdout: string;
  stderr: string;
  code: number | null;
  /** The host key the server offered (base64 of its wire form, as in a .pub file). */
  hostKey: string;
}

function connectConfig(login: Login, onHostKey: (key: Buffer) => void): ConnectConfig {
  return {
    host: '127.0.0.1',
    port: login.port,
    username: login.username,
    privateKey: login.privateKey,
    password: login.password,
    tryKeyboard: false,
    readyTimeout: 30_000,
    hostVerifier: (key: Buffer) => {
      onHostKey(key);
      return true; // the test compares it with the key it gave in ssh_keys
    },
  };
}

/** Logs in over SSH (ssh2), runs one command, returns its output and the offered host key. */
export function sshRun(login: Login, command: string): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKey = '';
    client.on('ready', () => {
      client.exec(command, (error, stream) => {
        if (error) return reject(error);
        let stdout = '';
        let stderr = '';
        stream.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
        stream.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        stream.on('close', (code: number | null) => {
          client.end();
          resolve({ stdout, stderr, code, hostKey });
        });
      });
    });
    client.on('error', reject);
    client.connect(connectConfig(login, (key) => (hostKey = key.toString('base64'))));
  });
}

/** Retries a key login until SSH answers (the guest is booting), up to timeoutMs. */
export async function waitForSsh(login: Login, timeoutMs: number): Promise<SshResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await sshRun(login, 'true');
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}
