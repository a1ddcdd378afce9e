import { ValidationError } from '../../domain/errors.js';
import type { BlobBody } from '../../domain/ports.js';

const notBytes = () =>
  new ValidationError('body: a streamed body must yield bytes (Uint8Array chunks)', {
    details: [{ field: 'body', message: 'chunks must be bytes' }],
  });

const isWebStream = (body: unknown): body is ReadableStream<Uint8Array> =>
  typeof (body as ReadableStream | null)?.getReader === 'function';
const isAsyncIterable = (body: unknown): body is AsyncIterable<unknown> =>
  typeof (body as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';

/** The chunks of any body the port accepts. A stream is read once; leaving early cancels it. */
export async function* chunksOf(body: BlobBody): AsyncGenerator<Uint8Array> {
  if (typeof body === 'string') {
    yield Buffer.from(body, 'utf8');
  } else if (body instanceof Uint8Array) {
    yield body;
  } else if (isWebStream(body)) {
    const reader = body.getReader();
    let done = false;
    try {
      for (;;) {
        const next = await reader.read();
        if (next.done) {
          done = true;
          return;
        }
        if (!(next.value instanceof Uint8Array)) throw notBytes();
        yield next.value;
      }
    } finally {
      if (!done) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  } else if (isAsyncIterable(body)) {
    for await (const chunk of body) {
      if (!(chunk instanceof Uint8Array)) throw notBytes();
      yield chunk;
    }
  } else {
    throw new ValidationError('body: must be bytes, a string, a ReadableStream or an async iterable of bytes', {
      details: [{ field: 'body', message: 'unsupported body' }],
    });
  }
}

/**
 * Cuts a stream of chunks into parts of exactly `partSize` bytes, the last one shorter (or the only one, empty,
 * for an empty body). Each part is a fresh buffer, so it may be uploaded while the next one fills.
 */
export async function* partsOf(chunks: AsyncIterable<Uint8Array>, partSize: number): AsyncGenerator<Buffer> {
  let part = Buffer.allocUnsafe(partSize);
  let filled = 0;
  let yielded = false;
  for await (const chunk of chunks) {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const take = Math.min(partSize - filled, chunk.byteLength - offset);
      part.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === partSize) {
        yield part;
        yielded = true;
        part = Buffer.allocUnsafe(partSize);
        filled = 0;
      }
    }
  }
  if (filled > 0 || !yielded) yield part.subarray(0, filled);
}
