import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';

/** Write requests that reached DynamoDB, by operation, and the items they carried. */
export interface WriteCounts {
  requests: number;
  items: number;
  /** Requests DynamoDB refused (conditional check failures, cancelled transactions, throttling). */
  refused: number;
  byOperation: Record<string, number>;
}

const WRITES = /^(PutItem|UpdateItem|DeleteItem|TransactWriteItems|BatchWriteItem)$/;

/**
 * A pass-through HTTP proxy in front of DynamoDB Local that counts the write requests crossing it (the
 * operation is the `X-Amz-Target` header, the items are read from the request body). Benchmarks give its
 * endpoint to the functions, so the figures are what the functions sent over the wire, whatever process
 * or bundle they run in.
 */
export async function startDynamoWriteCounter(upstream: string) {
  const target = new URL(upstream);
  const counts: WriteCounts = { requests: 0, items: 0, refused: 0, byOperation: {} };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    const isWrite = WRITES.test(operation);
    if (isWrite) {
      counts.requests += 1;
      counts.byOperation[operation] = (counts.byOperation[operation] ?? 0) + 1;
      counts.items += itemsOf(operation, body);
    }
    const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
    const upstreamReq = request(
      { hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers },
      (up) => {
        if (isWrite && (up.statusCode ?? 500) >= 400) counts.refused += 1;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstreamReq.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    upstreamReq.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    reset() {
      Object.assign(counts, { requests: 0, items: 0, refused: 0, byOperation: {} });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function itemsOf(operation: string, body: Buffer): number {
  if (operation !== 'TransactWriteItems' && operation !== 'BatchWriteItem') return 1;
  try {
    const input = JSON.parse(body.toString('utf8')) as {
      TransactItems?: unknown[];
      RequestItems?: Record<string, unknown[]>;
    };
    return input.TransactItems?.length ?? Object.values(input.RequestItems ?? {}).reduce((a, v) => a + v.length, 0);
  } catch {
    return 1;
  }
}
