/**
 * The one list of Socket.IO namespaces, event names and payloads, imported by the server hub and
 * by the browser (STYLE habit 4). Requests are verbs (`subscribe`); pushes are named for the state
 * they carry. Every push carries versions so a client drops anything older than what it holds (R-L04).
 */
import type { Level } from '../domain/availability.ts';

export const NAMESPACES = { public: '/public', staff: '/staff', board: '/board' } as const;

export type Ack<T> = { data: T } | { error: { code: string; message: string } };

export interface DayLevel {
	date: string;
	level: Level;
	/** why a day is not open (R-C05): over, a closed day, or outside the booking window */
	note?: DayNote;
}

export type DayNote = 'past' | 'closed' | 'outside';

/** `/public`: levels only, never counts (R-C05). */
export interface AvailabilityPush {
	locationId: number;
	month: string;
	days: DayLevel[];
	version: string;
}

export interface SlotState {
	id: string;
	locationId: number;
	date: string;
	startsAt: string;
	endsAt: string;
	capacity: number;
	booked: number;
	held: number;
	checkedIn: number;
	version: string;
}

/** `/staff`: the latest state of each changed slot of one location and day. */
export interface SlotsPush {
	locationId: number;
	date: string;
	slots: SlotState[];
}

/** `/staff`: card statuses changed (check-in, issued, …) for a location and day (R-L03). */
export interface CardStatusPush {
	locationId: number;
	date: string;
	changes: { cardId: string; from: string; to: string }[];
}

/** `/board`: today's counters for a wall board (R-L02). */
export interface BoardCounters {
	locationId: number;
	date: string;
	/** 予約: persons booked today */
	booked: number;
	/** 来庁: persons checked in */
	checkedIn: number;
	/** 交付済 */
	issued: number;
	/** 待ち: checked in, card not yet handed over */
	waiting: number;
	/** 未来庁 */
	noShow: number;
	/** 残り枠 in the slot running now */
	remainingNow: number;
	/** 残り枠 from now to closing, the current slot included */
	remainingToday: number;
	/** slots the location has today (0: closed today) */
	slotCount: number;
	/** occupancy of the next hours, one bar per hour (before opening: the first hours of the day) */
	hours: { start: string; capacity: number; booked: number }[];
	/** today's first slot start and last slot end, HH:MM; null when closed today */
	opensAt?: string | null;
	closesAt?: string | null;
	version: string;
	/** when the server computed these, ISO 8601 +09:00 */
	at: string;
}

/** Sent on every (re)connect: a board reloads itself when the release it runs is not the server's. */
export interface Hello {
	release: string;
}

export interface BoardSubscribe {
	locationId: number;
}

export interface PublicSubscribe {
	locationId: number;
	month: string;
}

export interface StaffSubscribe {
	locationId: number;
	date: string;
}

/** The emergency notice shown on every citizen page and wall board (R-O07). */
export interface NoticeBanner {
	id: string;
	messageJa: string;
	messageEn: string;
	at: string;
}

/** `/public` and `/board`: the emergency notice was posted, changed or withdrawn (null). */
export interface NoticePush {
	banner: NoticeBanner | null;
}

export interface PublicClientToServer {
	subscribe(req: PublicSubscribe, ack: (r: Ack<AvailabilityPush>) => void): void;
}
export interface PublicServerToClient {
	availability(p: AvailabilityPush): void;
	notice(p: NoticePush): void;
}

export interface StaffClientToServer {
	subscribe(req: StaffSubscribe, ack: (r: Ack<SlotsPush>) => void): void;
}
export interface StaffServerToClient {
	slots(p: SlotsPush): void;
	'card-status'(p: CardStatusPush): void;
}

export interface BoardClientToServer {
	subscribe(req: BoardSubscribe, ack: (r: Ack<BoardCounters>) => void): void;
}
export interface BoardServerToClient {
	hello(p: Hello): void;
	counters(p: BoardCounters): void;
	notice(p: NoticePush): void;
}

/**
 * Between the app's nodes (Socket.IO server-side events through the Redis adapter), past tense:
 * what ended or changed on one node, so that the others drop what they keep of it.
 */
export const NODE_EVENTS = {
	/** staff or citizen sessions ended: each node drops them from its session cache, then acks */
	sessionsEnded: 'mn:sessions-ended',
	/** staff users' roles or served locations changed: caches and live sockets follow (R-S01) */
	usersChanged: 'mn:users-changed',
	/** the city's settings or maintenance changed (R-S18, R-C13) */
	cityChanged: 'mn:city-changed'
} as const;

export interface NodeEvents {
	[NODE_EVENTS.sessionsEnded](sessionIds: string[], ack: (dropped: boolean) => void): void;
	[NODE_EVENTS.usersChanged](userIds: number[]): void;
	[NODE_EVENTS.cityChanged](): void;
}

/** Keeps, per slot, whichever state has the higher version. */
export function mergeSlots(held: readonly SlotState[], incoming: readonly SlotState[]): SlotState[] {
	const byId = new Map(held.map((s) => [s.id, s]));
	for (const s of incoming) {
		const cur = byId.get(s.id);
		if (!cur || BigInt(s.version) >= BigInt(cur.version)) byId.set(s.id, s);
	}
	return [...byId.values()].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
}

/**
 * R-L04: a subscribe's ack against a push of the same room that arrived while the ack was on its way.
 * The server puts the socket in the room before it reads the state it acks (server/realtime/subscribe.ts),
 * so no change falls between the two, but such a push may be newer than the ack: the newer wins.
 */
export function newerOf<T extends { version: string }>(ack: T, meanwhile: T | null): T {
	return meanwhile && BigInt(meanwhile.version) > BigInt(ack.version) ? meanwhile : ack;
}

export function isNewer(incoming: { version: string }, held: { version: string } | null | undefined): boolean {
	return !held || BigInt(incoming.version) >= BigInt(held.version);
}
