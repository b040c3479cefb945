/**
 * Availability levels shown to citizens (R-C05). Citizens never see counts: the server turns
 * remaining capacity into one of four levels and only the level leaves the server.
 */
export const LEVELS = ['many', 'few', 'none', 'closed'] as const;
export type Level = (typeof LEVELS)[number];

export interface LevelSettings {
	/** A slot or day with at most this share of its capacity remaining is "few" (残りわずか). */
	fewRatio: number;
	/** …or with at most this many places remaining, whichever is larger. */
	fewAbsolute: number;
}

export const DEFAULT_LEVEL_SETTINGS: LevelSettings = { fewRatio: 0.2, fewAbsolute: 2 };

export interface CapacityState {
	capacity: number;
	/** booked + held: everything already taken for citizens */
	taken: number;
	/** false when the slot cannot be booked by citizens (past, outside window, closed) */
	open: boolean;
}

export function levelFor(remaining: number, capacity: number, s: LevelSettings = DEFAULT_LEVEL_SETTINGS): Level {
	if (capacity <= 0) return 'closed';
	if (remaining <= 0) return 'none';
	const few = Math.max(s.fewAbsolute, Math.floor(capacity * s.fewRatio));
	return remaining <= few ? 'few' : 'many';
}

export function slotLevel(slot: CapacityState, s: LevelSettings = DEFAULT_LEVEL_SETTINGS): Level {
	if (!slot.open) return 'closed';
	return levelFor(slot.capacity - slot.taken, slot.capacity, s);
}

/**
 * What a day's level is computed from: over its open slots only, the sum of capacity and the sum of
 * what remains, each slot's remainder counted from 0 (a slot overbooked by a capacity override
 * takes nothing from the others). The live path has Postgres sum these per day (server/scheduling/availability.ts).
 */
export interface DayTotals {
	capacity: number;
	remaining: number;
}

export function dayTotals(slots: readonly CapacityState[]): DayTotals {
	let capacity = 0;
	let remaining = 0;
	for (const slot of slots) {
		if (!slot.open) continue;
		capacity += slot.capacity;
		remaining += Math.max(0, slot.capacity - slot.taken);
	}
	return { capacity, remaining };
}

/** A day's level from its totals: closed when nothing is open. */
export function levelOfTotals(t: DayTotals, s: LevelSettings = DEFAULT_LEVEL_SETTINGS): Level {
	return t.capacity === 0 ? 'closed' : levelFor(t.remaining, t.capacity, s);
}

/** A day's level from its open slots: the sum of what remains against the sum of capacity. */
export function dayLevel(slots: readonly CapacityState[], s: LevelSettings = DEFAULT_LEVEL_SETTINGS): Level {
	return levelOfTotals(dayTotals(slots), s);
}

/** Symbol and Japanese/English text for each level: colour is never the only signal (R-C05, R-C01). */
export const LEVEL_LABELS: Record<Level, { symbol: string; ja: string; en: string }> = {
	many: { symbol: '◎', ja: '空きあり', en: 'Available' },
	few: { symbol: '△', ja: '残りわずか', en: 'Few left' },
	none: { symbol: '×', ja: '満員', en: 'Full' },
	closed: { symbol: '—', ja: '受付なし', en: 'Not open' }
};

/**
 * R-C05 R-C06: whether a citizen may choose a time on the day page: it is open ('many' or 'few')
 * and, once the party is verified, has room for all of them (`room` = capacity − booked − held,
 * decided on the server: the browser gets this yes or no, never the count).
 */
export function fitsParty(level: Level, room: number | undefined, party: number | null): boolean {
	const open = level === 'many' || level === 'few';
	return party ? (room ?? 0) >= party && open : open;
}
