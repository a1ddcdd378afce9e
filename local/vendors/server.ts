/**
 * One HTTP server for the three fakes: `/salesforce/*`, `/hubspot/*`, `/workday/*` and `/_control/*`. It reads the
 * request, takes the injected fault (query parameter or armed), lets the vendor answer (or answers the fault as that
 * vendor would), damages the answer for data faults and writes it.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';
import { type VendorControl, handleControl } from './control.js';
import {
  ANSWER_FAULTS,
  DATA_FAULTS,
  type FaultBook,
  type FaultKind,
  FAULT_KINDS,
  isFaultKind,
  truncate,
} from './faults.js';
import { type VendorAnswer, type VendorRequest, parseJson, serialise } from './http.js';
import { type VendorSettings, type VendorSystem, isVendorSystem } from './options.js';
import type { VendorStats } from './stats.js';
import { ControlError, type AnswerFault, type DataFault, type FakeVendor } from './vendor.js';

/** The largest request body read (HubSpot's batch and search bodies stay far below). */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ServerDeps {
  vendors: Record<VendorSystem, FakeVendor>;
  faults: FaultBook;
  stats: VendorStats;
  settings: VendorSettings;
  control: VendorControl;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function write(
  res: ServerResponse,
  status: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** An error of the fake itself (not of a vendor): its own shape, so it is never mistaken for a vendor answer. */
const fakeError = (res: ServerResponse, status: number, message: string) =>
  write(res, status, JSON.stringify({ fakeVendorError: message }), 'application/json');

export class FakeVendorServer {
  private server: Server | undefined;
  private readonly held = new Set<Socket>();
  private readonly sockets = new Set<Socket>();

  constructor(private readonly deps: ServerDeps) {}

  listen(port: number, host: string): Promise<number> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        process.stderr.write(`fake vendors: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        if (!res.headersSent) fakeError(res, 500, e instanceof Error ? e.message : String(e));
        else res.destroy();
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  async close(): Promise<void> {
    for (const s of this.held) s.destroy();
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const first = url.pathname.split('/')[1] ?? '';
    let body: string;
    try {
      body = await readBody(req);
    } catch (e) {
      if (e instanceof BodyTooLargeError) return fakeError(res, 413, e.message);
      throw e;
    }
    if (first === '_control') return this.control(req, res, url, body);
    if (!isVendorSystem(first)) {
      return fakeError(
        res,
        404,
        `no such path ${url.pathname}: the vendors live under /salesforce, /hubspot and /workday`,
      );
    }
    const system = first;
    const vendor = this.deps.vendors[system];
    const path = url.pathname.slice(system.length + 1) || '/';
    const query = new URLSearchParams(url.search);
    const asked = query.get('fault');
    query.delete('fault');
    if (asked !== null && !isFaultKind(asked)) {
      return fakeError(res, 400, `unknown fault "${asked}" (known: ${FAULT_KINDS.join(', ')})`);
    }
    const fault: FaultKind | null = asked ?? this.deps.faults.take(system, path);
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const vreq: VendorRequest = {
      method: req.method ?? 'GET',
      path,
      query,
      headers,
      body,
      baseUrl: `http://${req.headers.host ?? `127.0.0.1:${(req.socket.localPort ?? 0).toString()}`}/${system}`,
      fault,
    };
    this.deps.stats.count(system, vendor.kindOf(vreq));
    if (fault) this.deps.faults.count(system, fault);
    if (fault === 'timeout') return this.hold(req, res);

    let answer: VendorAnswer;
    if (fault && ANSWER_FAULTS.has(fault)) answer = vendor.faultAnswer(fault as AnswerFault, vreq);
    else {
      answer = vendor.handle(vreq);
      if (fault && DATA_FAULTS.has(fault) && answer.status < 300 && answer.json !== undefined) {
        answer = { ...answer, json: vendor.corrupt(fault as DataFault, answer.json, vreq) };
      }
    }
    const out = serialise(answer);
    if (fault === 'malformed') return write(res, 200, truncate(out.body), out.contentType, answer.headers);
    write(res, answer.status, out.body, out.contentType, answer.headers);
  }

  /** Holds the connection without answering, then drops it (unless the client gave up first). */
  private hold(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    this.held.add(socket);
    const timer = setTimeout(() => socket.destroy(), this.deps.settings.faults.holdMs);
    res.on('close', () => {
      clearTimeout(timer);
      this.held.delete(socket);
    });
  }

  private control(req: IncomingMessage, res: ServerResponse, url: URL, body: string): void {
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      fakeError(res, 403, 'the control API answers loopback clients only');
      return;
    }
    let json: unknown;
    if (body.trim() !== '') {
      json = parseJson(body);
      if (json === undefined) {
        fakeError(res, 400, 'the body must be JSON');
        return;
      }
    }
    try {
      const answer = handleControl(this.deps.control, req.method ?? 'GET', url.pathname, url.searchParams, json);
      write(res, answer.status, JSON.stringify(answer.json), 'application/json');
    } catch (e) {
      if (e instanceof ControlError) fakeError(res, e.status, e.message);
      else if (e instanceof URIError) fakeError(res, 400, 'malformed path');
      else throw e;
    }
  }
}
