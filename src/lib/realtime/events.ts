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
}

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

export interface PublicSubscribe {
	locationId: number;
	month: string;
}

export interface StaffSubscribe {
	locationId: number;
	date: string;
}

export interface PublicClientToServer {
	subscribe(req: PublicSubscribe, ack: (r: Ack<AvailabilityPush>) => void): void;
}
export interface PublicServerToClient {
	availability(p: AvailabilityPush): void;
}

export interface StaffClientToServer {
	subscribe(req: StaffSubscribe, ack: (r: Ack<SlotsPush>) => void): void;
}
export interface StaffServerToClient {
	slots(p: SlotsPush): void;
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

export function isNewer(incoming: { version: string }, held: { version: string } | null | undefined): boolean {
	return !held || BigInt(incoming.version) >= BigInt(held.version);
}
