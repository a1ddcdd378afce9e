import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Task tokens are deterministic: HMAC-SHA256 over (execution ARN, task key, redrive count) with a
 * secret kept in the data folder. A replay after a restart derives the same token, so a token a
 * webhook receiver got before a crash is still valid after it. The token carries the execution ARN
 * and task key (so the runtime can find the wait) and the MAC (so nobody can forge one).
 */
export class TaskTokens {
  private readonly secret: Buffer;

  constructor(secretFile: string) {
    this.secret = loadOrCreateSecret(secretFile);
  }

  make(executionArn: string, taskKey: string, segment: number): string {
    const body = Buffer.from(JSON.stringify([executionArn, taskKey, segment])).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The token's parts, or undefined when it is malformed or its MAC does not verify. */
  parse(token: unknown): { executionArn: string; taskKey: string; segment: number } | undefined {
    if (typeof token !== 'string' || token.length < 1 || token.length > 1024) return undefined;
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const body = token.slice(0, dot);
    const mac = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(body), 'base64url');
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
    try {
      const [executionArn, taskKey, segment] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [
        string,
        string,
        number,
      ];
      if (typeof executionArn !== 'string' || typeof taskKey !== 'string' || typeof segment !== 'number')
        return undefined;
      return { executionArn, taskKey, segment };
    } catch {
      return undefined;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}

function loadOrCreateSecret(file: string): Buffer {
  try {
    const text = readFileSync(file, 'utf8').trim();
    if (text.length >= 32) return Buffer.from(text, 'base64');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32);
  try {
    // 'wx': two processes starting at once agree on one secret.
    writeFileSync(file, secret.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  }
}
