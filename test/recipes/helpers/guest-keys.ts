import ssh2 from 'ssh2';

const { utils } = ssh2;

export interface KeyPair {
  private: string;
  public: string;
}

/** An ed25519 key pair in OpenSSH format (what atomlab gives in ssh_keys and ssh_authorized_keys). */
export function ed25519(comment: string): KeyPair {
  const pair = utils.generateKeyPairSync('ed25519', { comment });
  return { private: pair.private, public: pair.public };
}

/** The base64 blob of an OpenSSH public key line. */
export function publicBlob(line: string): string {
  return line.trim().split(/\s+/)[1] ?? '';
}
