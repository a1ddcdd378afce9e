import type { Server } from 'node:http';
import { formatPortList, parsePortList } from '../functions/domain/webhooks/loopback-ports.js';

/**
 * The loopback ports the local platform lets webhooks reach (its functions get them as
 * LOOPBACK_WEBHOOK_PORTS), and where development receivers listen (scripts/lib/webhook-receiver.ts,
 * the tests). A fixed range below 32768: the emulators listen on ports the OS picks (port 0), which
 * come from the ephemeral range (32768+ on Linux, 49152+ on macOS and Windows), so they never fall in
 * it; the platform removes its own ports from it anyway, in case PORT was set inside it.
 */
export const DEFAULT_WEBHOOK_DEV_PORTS = '8900-8999';

/** The development ports: `spec` (else `$MODOS_WEBHOOK_DEV_PORTS`, else the default) less `exclude`. */
export function webhookDevPorts(spec?: string, exclude: Iterable<number> = []): ReadonlySet<number> {
  const text = spec ?? process.env.MODOS_WEBHOOK_DEV_PORTS ?? DEFAULT_WEBHOOK_DEV_PORTS;
  let ports: Set<number>;
  try {
    ports = new Set(parsePortList(text));
  } catch (error) {
    throw new Error(`MODOS_WEBHOOK_DEV_PORTS: ${(error as Error).message}`);
  }
  for (const p of exclude) ports.delete(p);
  return ports;
}

/** The same, as the LOOPBACK_WEBHOOK_PORTS text. */
export const webhookDevPortList = (spec?: string, exclude: Iterable<number> = []): string =>
  formatPortList(webhookDevPorts(spec, exclude));

/**
 * Listens on a free development port (tried in random order, so receivers of concurrent test runs
 * rarely collide) and returns it. Throws if every one is taken.
 */
export async function listenOnWebhookDevPort(server: Server, host = '127.0.0.1', spec?: string): Promise<number> {
  const candidates = [...webhookDevPorts(spec)];
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
  }
  for (const port of candidates) {
    const bound = await new Promise<boolean>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error));
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve(true);
      });
    });
    if (bound) return port;
  }
  throw new Error(
    `no free webhook development port on ${host} (MODOS_WEBHOOK_DEV_PORTS=${formatPortList(candidates)})`,
  );
}
