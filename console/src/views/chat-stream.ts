/**
 * Server-Sent Events of an agent's answer (`POST /sessions/{id}/messages` with `Accept: text/event-stream`): `text`
 * events carry the answer as it is written (`{ delta }`), `message` the stored answer (passages, skill calls,
 * outputs), `done` the end. Parsed as the stream arrives, so a deployment that streams is shown as it streams; a
 * JSON answer (a gateway or proxy that ignored the Accept header) is taken whole.
 */
import type { Message } from '../../../schemas/agents.js';
import { requestStream } from '../api.js';

export interface SseEvent {
  event: string;
  data: string;
}

/** Splits a Server-Sent Events text into complete events; returns them and the unfinished rest. */
export function parseSse(buffer: string): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  const blocks = buffer.replace(/\r\n/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length) events.push({ event, data: data.join('\n') });
  }
  return { events, rest };
}

export async function sendMessage(
  sessionId: string,
  content: string,
  onText: (soFar: string) => void,
  signal?: AbortSignal,
): Promise<Message> {
  const res = await requestStream('POST', `/sessions/${encodeURIComponent(sessionId)}/messages`, {
    body: { content },
    accept: 'text/event-stream',
    signal,
  });
  if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) return (await res.json()) as Message;
  if (!res.body) throw new Error('the answer had no body');
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let text = '';
  let message: Message | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += value;
    const parsed = parseSse(done ? `${buffer}\n\n` : buffer);
    buffer = parsed.rest;
    for (const e of parsed.events) {
      if (e.event === 'text') {
        text += (JSON.parse(e.data) as { delta: string }).delta;
        onText(text);
      } else if (e.event === 'message') message = JSON.parse(e.data) as Message;
      else if (e.event === 'error') throw new Error((JSON.parse(e.data) as { message?: string }).message ?? e.data);
    }
    if (done) break;
  }
  if (!message) throw new Error('the answer ended before its message');
  return message;
}
