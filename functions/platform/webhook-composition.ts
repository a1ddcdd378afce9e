import { HttpWebhookSender } from '../adapters/http/webhook-sender.js';
import { config } from './config.js';
import { logger } from './logger.js';

let sender: HttpWebhookSender | undefined;

/** The outbound webhook sender, with the stage's URL policy (http to loopback only on the local platform). */
export function webhookSender(): HttpWebhookSender {
  if (!sender) {
    const allowHttpLoopback = config().ALLOW_HTTP_LOOPBACK_WEBHOOKS;
    if (allowHttpLoopback) logger.warn('webhooks to http://127.0.0.1 and http://localhost are allowed (local development only)');
    sender = new HttpWebhookSender({ policy: { allowHttpLoopback } });
  }
  return sender;
}
