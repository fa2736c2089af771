/**
 * A small Server-Sent Events client over fetch: connects to the notification
 * service's `/notifications/stream`, resolves once the server's `ready` event
 * arrives, collects every other event (pings aside) and lets a caller wait
 * for the first event that matches.
 */
export interface SseEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
  /** When it arrived (ms since the epoch). */
  readonly at: number;
}

export interface SseClient {
  readonly received: readonly SseEvent[];
  /** Resolves with the first event (already received or still to come) that matches, or rejects after `timeoutMs`. */
  waitFor(match: (e: SseEvent) => boolean, timeoutMs?: number, what?: string): Promise<SseEvent>;
  close(): Promise<void>;
}

export async function connectSse(
  url: string,
  token: string,
  onEvent?: (e: SseEvent) => void,
): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (res.status !== 200 || !res.body) {
    throw new Error(`${url} answered ${res.status} ${await res.text().catch(() => '')}`);
  }
  const contentType = res.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/event-stream')) {
    controller.abort();
    throw new Error(`${url} answered ${contentType || 'no content type'}, not text/event-stream`);
  }
  const received: SseEvent[] = [];
  const waiters = new Set<{ match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }>();
  let ready: () => void = () => {};
  let failed: (err: Error) => void = () => {};
  const isReady = new Promise<void>((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const pump = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n/g, '\n');
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
          const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n') || '{}';
          if (event === 'ready') ready();
          if (event === 'ready' || event === 'ping') continue;
          const e: SseEvent = { event, data: JSON.parse(data) as Record<string, unknown>, at: Date.now() };
          received.push(e);
          onEvent?.(e);
          for (const w of waiters) {
            if (w.match(e)) {
              waiters.delete(w);
              w.resolve(e);
            }
          }
        }
      }
      failed(new Error(`${url}: the stream ended before it was ready`));
    } catch (err) {
      failed(err as Error);
    }
  })();
  await isReady;
  return {
    received,
    waitFor(match, timeoutMs = 20_000, what = 'an event') {
      const seen = received.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise<SseEvent>((resolve, reject) => {
        const waiter = {
          match,
          resolve: (e: SseEvent) => {
            clearTimeout(timer);
            resolve(e);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no ${what} over SSE within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}
