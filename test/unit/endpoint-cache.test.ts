/**
 * The Lambda bundles replace `@aws-sdk/endpoint-cache` with functions/platform/endpoint-cache.ts, a cache that throws
 * when used (bundling.ts). That is only sound while the DynamoDB client never reads its endpoint cache: every command
 * of the installed client goes here through a client whose cache is that one, endpoint discovery enabled, to a fake
 * HTTP handler. After an SDK upgrade that starts discovering endpoints this fails, and the alias has to go.
 */
import { Readable } from 'node:stream';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { LAMBDA_BUNDLING } from '../../functions/platform/bundling.js';
import { EndpointCache } from '../../functions/platform/endpoint-cache.js';

type AnyCommand = new (input: object) => Parameters<dynamodb.DynamoDBClient['send']>[0];

const commands = Object.entries(dynamodb as Record<string, unknown>).filter(
  (e): e is [string, AnyCommand] => /^[A-Z]\w*Command$/.test(e[0]) && typeof e[1] === 'function',
);

describe('the endpoint cache of the Lambda bundles', () => {
  it('is what the bundles take for @aws-sdk/endpoint-cache', () => {
    expect(LAMBDA_BUNDLING.alias['@aws-sdk/endpoint-cache']).toBe('./functions/platform/endpoint-cache.ts');
  });

  it('refuses to be used', () => {
    const cache = new EndpointCache(10);
    expect(() => cache.getEndpoint('k')).toThrow(/endpoint discovery is not supported/);
    expect(() => cache.set('k', [])).toThrow(/endpoint discovery is not supported/);
  });

  it('is never read by any DynamoDB command, endpoint discovery enabled or not', async () => {
    expect(commands.length).toBeGreaterThan(50);
    for (const endpointDiscoveryEnabled of [true, false, undefined]) {
      const sent: string[] = [];
      const client = new dynamodb.DynamoDBClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        endpointDiscoveryEnabled,
        maxAttempts: 1,
        requestHandler: {
          handle: async (request: { headers: Record<string, string> }) => {
            sent.push(request.headers['x-amz-target'] ?? '');
            return {
              response: {
                statusCode: 200,
                headers: { 'content-type': 'application/x-amz-json-1.0' },
                body: Readable.from([Buffer.from('{}')]),
              },
            };
          },
        },
      });
      // The SDK's own cache is replaced by the bundles' one, as the alias does.
      const config = client.config as unknown as { endpointCache: unknown };
      expect(config.endpointCache).toBeDefined();
      config.endpointCache = new EndpointCache(1000);
      expect(client.middlewareStack.identify().filter((m) => /discover/i.test(m))).toEqual([]);

      const failures: string[] = [];
      for (const [name, Command] of commands) {
        try {
          await client.send(new Command({}));
        } catch (error) {
          failures.push(`${name}: ${String(error)}`);
        }
      }
      expect(failures).toEqual([]);
      expect(sent.length, `discovery ${endpointDiscoveryEnabled}`).toBe(commands.length);
      client.destroy();
    }
  });
});
