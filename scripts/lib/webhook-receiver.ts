import { createServer, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { listenOnWebhookDevPort } from '../../local/webhook-ports.js';

export interface ReceivedWebhook {
  id: string;
  headers: Record<string, string>;
  body: string;
  /** The body as verified by the independent `standardwebhooks` implementation (undefined if refused). */
  verified: any;
  verifyError?: string;
}

/**
 * A webhook receiver on 127.0.0.1 (on one of the local platform's webhook development ports) that verifies every delivery with the `standardwebhooks` npm package
 * (an implementation independent of ours). `respond` lets a test make it fail.
 */
export async function startWebhookReceiver(
  secret: () => string | undefined,
  respond: (n: number) => number = () => 200,
) {
  const received: ReceivedWebhook[] = [];
  let n = 0;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    let verified: unknown;
    let verifyError: string | undefined;
    try {
      const s = secret();
      if (!s) throw new Error('no secret yet');
      verified = new Webhook(s).verify(body, headers);
    } catch (error) {
      verifyError = (error as Error).message;
    }
    received.push({ id: headers['webhook-id'] ?? '', headers, body, verified, verifyError });
    res.writeHead(respond(++n)).end();
  });
  // On a development port: the only loopback ports the local platform sends webhooks to.
  const port = await listenOnWebhookDevPort(server);
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
