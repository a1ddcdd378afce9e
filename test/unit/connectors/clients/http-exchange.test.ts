import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../../functions/domain/connectors/errors.js';
import { PRODUCTION_URL_POLICY, type UrlPolicy } from '../../../../functions/domain/webhooks/url-policy.js';
import {
  AttemptTimeoutError,
  guardedAgents,
  guardedExchange,
  type Resolver,
  VendorNetworkError,
} from '../../../../functions/adapters/connectors/shared/http-exchange.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
});

async function aServer(handler: http.RequestListener) {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const devPolicy = (port: number): UrlPolicy => ({ allowHttpLoopback: true, loopbackPorts: new Set([port]) });

function exchange(
  url: string,
  policy: UrlPolicy,
  extra: { resolve?: Resolver; signal?: AbortSignal; max?: number } = {},
) {
  return guardedExchange(
    { method: 'GET', url, headers: {} },
    {
      policy,
      agents: guardedAgents(policy, extra.resolve),
      system: 'Workday',
      ...(extra.signal ? { signal: extra.signal } : {}),
      ...(extra.max ? { maxResponseBytes: extra.max } : {}),
    },
  );
}

describe('the guarded exchange', () => {
  it('reaches a loopback development port under the dev policy and returns status, headers and body', async () => {
    const port = await aServer((_req, res) => res.writeHead(201, { 'x-thing': 'yes' }).end('{"a":1}'));
    const response = await exchange(`http://127.0.0.1:${port}/x`, devPolicy(port));
    expect(response).toMatchObject({ status: 201, body: '{"a":1}' });
    expect(response.headers['x-thing']).toBe('yes');
  });

  it('refuses loopback under the production policy before connecting', async () => {
    let reached = false;
    const port = await aServer((_req, res) => ((reached = true), res.end()));
    const error = (await exchange(`http://127.0.0.1:${port}/x`, PRODUCTION_URL_POLICY).catch(
      (e) => e,
    )) as ConnectorError;
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('outbound URL policy');
    expect(reached).toBe(false);
  });

  it('refuses a loopback port that is not a development port', async () => {
    const port = await aServer((_req, res) => res.end());
    const error = (await exchange(`http://127.0.0.1:${port}/x`, devPolicy(port + 1)).catch((e) => e)) as ConnectorError;
    expect(error.vendorCode).toBe('URL_LOOPBACK_PORT_NOT_ALLOWED');
  });

  it('refuses a public-looking host that resolves to a private address (no connection is made)', async () => {
    const resolve: Resolver = async () => [{ address: '10.0.0.7', family: 4 }];
    const error = (await exchange('https://acme.my.salesforce.com/x', PRODUCTION_URL_POLICY, { resolve }).catch(
      (e) => e,
    )) as ConnectorError;
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.vendorCode).toBe('URL_RESOLVED_ADDRESS_NOT_ALLOWED');
    expect(error.message).toContain('private');
  });

  it('refuses when any one of the resolved addresses is not public', async () => {
    const resolve: Resolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ];
    const error = (await exchange('https://api.hubapi.com/x', PRODUCTION_URL_POLICY, { resolve }).catch(
      (e) => e,
    )) as ConnectorError;
    expect(error.message).toContain('metadata');
  });

  it('connects localhost to loopback only under the dev policy', async () => {
    const port = await aServer((_req, res) => res.end('ok'));
    const resolve: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const response = await exchange(`http://localhost:${port}/x`, devPolicy(port), { resolve });
    expect(response.body).toBe('ok');
  });

  it('rejects with the abort reason when the deadline passes', async () => {
    const port = await aServer(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(new AttemptTimeoutError('late')), 30);
    await expect(
      exchange(`http://127.0.0.1:${port}/x`, devPolicy(port), { signal: controller.signal }),
    ).rejects.toBeInstanceOf(AttemptTimeoutError);
  });

  it('reports a dropped connection as a retryable network error', async () => {
    const port = await aServer((req) => req.socket.destroy());
    await expect(exchange(`http://127.0.0.1:${port}/x`, devPolicy(port))).rejects.toBeInstanceOf(VendorNetworkError);
  });

  it('decodes a gzip answer', async () => {
    const port = await aServer((_req, res) =>
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('{"big":true}')),
    );
    expect((await exchange(`http://127.0.0.1:${port}/x`, devPolicy(port))).body).toBe('{"big":true}');
  });

  it('refuses an answer larger than the cap', async () => {
    const port = await aServer((_req, res) => res.end('x'.repeat(5000)));
    const error = (await exchange(`http://127.0.0.1:${port}/x`, devPolicy(port), { max: 1000 }).catch(
      (e) => e,
    )) as ConnectorError;
    expect(error.vendorCode).toBe('RESPONSE_TOO_LARGE');
  });
});
