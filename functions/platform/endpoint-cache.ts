/**
 * What the Lambda bundles use in place of `@aws-sdk/endpoint-cache` (esbuild alias in bundling.ts, so the CDK
 * assets and the local bundles alike). The DynamoDB client's constructor builds an endpoint cache for endpoint
 * discovery (`resolveEndpointDiscoveryConfig` of `@aws-sdk/middleware-endpoint-discovery`), but none of its
 * commands applies the discovery middleware that would read it, in the SDK version package-lock.json pins, even with
 * `endpointDiscoveryEnabled`: the cache (an LRU of `mnemonist`, about 8 KB of every bundle that talks to DynamoDB) is
 * built and never used. This one is built and refuses to be used, so an SDK version that starts discovering
 * endpoints fails on its first call instead of going without a cache; test/unit/endpoint-cache.test.ts sends every
 * DynamoDB command through a client holding it. Tests and scripts run from the sources use the real package.
 */
export class EndpointCache {
  constructor(readonly capacity: number) {}

  getEndpoint(_key: string): string | undefined {
    return unused();
  }
  get(_key: string): never {
    return unused();
  }
  set(_key: string, _endpoints: unknown[]): void {
    unused();
  }
  delete(_key: string): void {
    unused();
  }
  has(_key: string): boolean {
    return unused();
  }
  clear(): void {
    unused();
  }
}

function unused(): never {
  throw new Error(
    'endpoint discovery is not supported by the Lambda bundles: @aws-sdk/endpoint-cache is aliased to functions/platform/endpoint-cache.ts (see functions/platform/bundling.ts)',
  );
}
