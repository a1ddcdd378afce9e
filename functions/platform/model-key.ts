import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsClient } from './aws-clients.js';
import { config } from './config.js';

/** The value of the model binding that selects the offline model (docs/models.md). */
export const OFFLINE = 'offline';

let key: Promise<string | undefined> | undefined;

/**
 * The Anthropic API key of a model-bound function: the key itself locally (ANTHROPIC_API_KEY), a Secrets Manager
 * secret in AWS (ANTHROPIC_API_KEY_SECRET_ARN, read once per container). Undefined: the offline model.
 */
export function modelApiKey(): Promise<string | undefined> {
  key ??= (async () => {
    const c = config();
    if (c.ANTHROPIC_API_KEY) return c.ANTHROPIC_API_KEY === OFFLINE ? undefined : c.ANTHROPIC_API_KEY;
    const arn = c.ANTHROPIC_API_KEY_SECRET_ARN;
    if (!arn || arn === OFFLINE) return undefined;
    const out = await secretsClient().send(new GetSecretValueCommand({ SecretId: arn }));
    if (!out.SecretString?.trim()) throw new Error('the model API key secret is empty');
    return out.SecretString.trim();
  })();
  return key;
}

export function resetModelKey(): void {
  key = undefined;
}
