import { z } from 'zod';
import type { AppContext } from '../../src/lib/server/context.ts';
import { isAppError } from '../../src/lib/server/errors.ts';
import type { Ack } from '../../src/lib/realtime/events.ts';
import { switchRoom } from './rooms.ts';

/** Only whitelisted messages reach clients; anything unexpected is logged and reported generically. */
function failure(ctx: AppContext, e: unknown): Ack<never> {
	if (isAppError(e)) return { error: { code: e.code, message: e.message } };
	if (e instanceof z.ZodError) return { error: { code: 'bad_request', message: e.issues.map((i) => i.path.join('.') || i.message).join(', ') } };
	ctx.log.error({ err: e }, 'socket handler failed');
	return { error: { code: 'internal', message: 'サーバーでエラーが発生しました。' } };
}

/**
 * A subscribe the app refused (not found, forbidden, bad request) leaves the room it joined; one that
 * failed for a passing reason (the database away) stays in it, so the pushes that follow once the
 * database is back still reach the screen that asked.
 */
const refused = (e: unknown) => (isAppError(e) && e.status < 500) || e instanceof z.ZodError;

/** What a subscribe opens once its request is parsed and allowed: the room, and how to read its state. */
export interface Opening<T> {
	room: string;
	read(): Promise<T>;
}

interface Subscriber<T> {
	id: string;
	rooms: Set<string>;
	join(room: string): unknown;
	leave(room: string): unknown;
	on(event: 'subscribe', listener: (req: unknown, ack: (r: Ack<T>) => void) => void): unknown;
}

/**
 * The `subscribe` request of every namespace: `open` parses and checks the request (throwing an
 * AppError or a ZodError to refuse it); then the socket joins the room FIRST and reads its state
 * after (R-L04), so that no change falls between the state acked and the pushes that follow (a push
 * may then arrive before the ack: clients keep the newer, `newerOf` in src/lib/realtime/events.ts).
 */
export function serveSubscribe<T>(ctx: AppContext, socket: Subscriber<T>, open: (req: unknown) => Promise<Opening<T>>) {
	socket.on('subscribe', async (req, ack) => {
		if (typeof ack !== 'function') return;
		let joined: string | null = null;
		try {
			const { room, read } = await open(req);
			switchRoom(socket, room);
			joined = room;
			ack({ data: await read() });
		} catch (e) {
			if (joined && refused(e)) socket.leave(joined);
			ack(failure(ctx, e));
		}
	});
}
