/**
 * Which rooms the caller belongs to, asked of the chat service at query time
 * (`GET /rooms` with the caller's own bearer token). MessageSent carries no
 * members and the contract gives search-indexer-group no room events, so the
 * chat service, which owns membership, is asked on every search: a user who
 * joins or leaves a room sees the change at once, at the cost of one call.
 */
import { HttpError, unauthorized } from '../shared/errors.ts';

export interface RoomDirectory {
  /** Ids of the caller's rooms; 401 when chat refuses the token, 503 when chat cannot answer. */
  roomsOf(authorization: string): Promise<number[]>;
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response> | Response;

/** The chat service over HTTP (`CHAT_SERVICE_URL`). */
export function httpRoomDirectory(options: { baseUrl: string; fetch?: Fetch }): RoomDirectory {
  const fetchFn: Fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const base = options.baseUrl.replace(/\/$/, '');
  return {
    async roomsOf(authorization) {
      let res: Response;
      try {
        res = await fetchFn(`${base}/rooms`, {
          headers: { authorization, accept: 'application/json' },
          signal: AbortSignal.timeout(5_000),
        });
      } catch {
        throw new HttpError(503, 'unavailable', { message: 'chat service unreachable' });
      }
      if (res.status === 401) throw unauthorized();
      if (!res.ok)
        throw new HttpError(503, 'unavailable', { message: `chat service answered ${res.status}` });
      const body = (await res.json()) as { rooms: { id: number }[] };
      return body.rooms.map((r) => r.id);
    },
  };
}
