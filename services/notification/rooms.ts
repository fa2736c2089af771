/**
 * The rooms notification knows of (from ChatRoomCreated) and the messages
 * parked until their room is known: MessageSent carries no member list, and
 * ChatRoomCreated and MessageSent travel on different topics with no order
 * between them.
 */
import type pg from 'pg';
import type { ChatRoomCreated, MessageSent } from '../../generated/index.ts';

/**
 * Serializes, per room, "is the room known? else park the message" against
 * "record the room, then notify what was parked": without it, a MessageSent
 * and its room's ChatRoomCreated handled at once (two partitions, two
 * instances) could each miss the other's uncommitted row and leave the
 * message parked for good. Held until the handler's transaction ends.
 */
export async function lockRoom(db: pg.ClientBase, roomId: number): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtextextended('notification-room:' || $1::text, 0))", [
    roomId,
  ]);
}

/** The members of a room as its first ChatRoomCreated recorded them; undefined for a room not seen yet. */
export async function roomMembers(db: pg.ClientBase, roomId: number): Promise<number[] | undefined> {
  const { rows } = await db.query<{ member_ids: string[] }>(
    'SELECT member_ids FROM rooms WHERE room_id = $1',
    [roomId],
  );
  return rows[0]?.member_ids.map(Number);
}

/** Records a room's members as its first ChatRoomCreated says (a later one changes nothing). */
export async function recordRoom(db: pg.ClientBase, room: ChatRoomCreated): Promise<void> {
  await db.query(
    `INSERT INTO rooms (room_id, room_type, room_name, member_ids, created_at)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (room_id) DO NOTHING`,
    [room.room_id, room.room_type, room.room_name, room.member_ids, room.timestamp],
  );
}

/** Parks a message of a room not seen yet, under its event id (a redelivery parks nothing twice). */
export async function parkMessage(db: pg.ClientBase, eventId: string, message: MessageSent): Promise<void> {
  await db.query(
    `INSERT INTO pending_room_messages (event_id, room_id, payload) VALUES ($1, $2, $3)
     ON CONFLICT (event_id) DO NOTHING`,
    [eventId, message.room_id, JSON.stringify(message)],
  );
}

/** Takes the messages parked for a room (deleted in the caller's transaction). */
export async function takeParkedMessages(
  db: pg.ClientBase,
  roomId: number,
): Promise<{ event_id: string; payload: MessageSent }[]> {
  const { rows } = await db.query<{ event_id: string; payload: MessageSent }>(
    'DELETE FROM pending_room_messages WHERE room_id = $1 RETURNING event_id, payload',
    [roomId],
  );
  return rows;
}
