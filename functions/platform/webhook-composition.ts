import { HttpWebhookSender } from '../adapters/http/webhook-sender.js';
import { formatPortList } from '../domain/webhooks/loopback-ports.js';
import { config } from './config.js';
import { logger } from './logger.js';

let sender: HttpWebhookSender | undefined;

/** The outbound webhook sender, with the stage's URL policy (http to loopback only on the local platform). */
export function webhookSender(): HttpWebhookSender {
  if (!sender) {
    const { ALLOW_HTTP_LOOPBACK_WEBHOOKS: allowHttpLoopback, LOOPBACK_WEBHOOK_PORTS: loopbackPorts } = config();
    if (allowHttpLoopback) {
      logger.warn(
        'webhooks to http://127.0.0.1 and http://localhost are allowed on the configured ports (local development only)',
        { ports: formatPortList(loopbackPorts) },
      );
    }
    sender = new HttpWebhookSender({ policy: { allowHttpLoopback, loopbackPorts } });
  }
  return sender;
}
