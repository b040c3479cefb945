/**
 * What to change in stored slots after the rules changed (R-S06). A booked slot is never removed:
 * citizens hold reservations in it, so staff must move or cancel them first; until then it is
 * reported as orphaned and keeps its place.
 */
import type { GeneratedSlot } from './slots.ts';
import { timeToMinutes, type DateStr, type TimeStr } from './time.ts';

export interface ExistingSlot<Id = string> {
	id: Id;
	date: DateStr;
	start: TimeStr;
	end: TimeStr;
	capacity: number;
	/** places taken: booked plus held (R-C15); anything above 0 means the slot must stay */
	booked: number;
}

export interface RegenerationPlan<Id = string> {
	create: GeneratedSlot[];
	update: { id: Id; capacity: number }[];
	/** unbooked stored slots the rules no longer produce */
	remove: Id[];
	/** booked stored slots the rules no longer produce (closed day, outside hours, changed grid): kept */
	orphaned: ExistingSlot<Id>[];
	/** generated slots not created because they would overlap an orphaned slot; they appear once it is gone */
	blocked: GeneratedSlot[];
}

const key = (s: { date: string; start: string; end: string }) => `${s.date} ${s.start} ${s.end}`;

// plain code-unit order: these strings sort chronologically, and localeCompare would depend on the locale
function bySchedule(a: { date: string; start: string; end: string }, b: { date: string; start: string; end: string }) {
	const ka = key(a);
	const kb = key(b);
	return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Diff stored slots against freshly generated ones. Pass the stored slots of the same location
 * and date range that was generated: anything else passed in would be planned for removal.
 * Applying the plan and planning again yields no create, update or remove (idempotent).
 */
export function planRegeneration<Id>(
	existing: readonly ExistingSlot<Id>[],
	generated: readonly GeneratedSlot[]
): RegenerationPlan<Id> {
	const wanted = new Map<string, GeneratedSlot>();
	for (const g of generated) if (!wanted.has(key(g))) wanted.set(key(g), g);

	const plan: RegenerationPlan<Id> = { create: [], update: [], remove: [], orphaned: [], blocked: [] };
	const claimed = new Set<string>();
	for (const s of [...existing].sort(bySchedule)) {
		const k = key(s);
		const g = wanted.get(k);
		if (g && !claimed.has(k)) {
			claimed.add(k);
			if (s.capacity !== g.capacity) plan.update.push({ id: s.id, capacity: g.capacity });
		} else if (s.booked > 0) {
			plan.orphaned.push(s);
		} else {
			plan.remove.push(s.id);
		}
	}

	const orphanTimes = new Map<string, { start: number; end: number }[]>();
	for (const o of plan.orphaned) {
		const list = orphanTimes.get(o.date) ?? [];
		list.push({ start: timeToMinutes(o.start), end: timeToMinutes(o.end) });
		orphanTimes.set(o.date, list);
	}
	for (const g of [...wanted.values()].sort(bySchedule)) {
		if (claimed.has(key(g))) continue;
		const start = timeToMinutes(g.start);
		const end = timeToMinutes(g.end);
		const inTheWay = (orphanTimes.get(g.date) ?? []).some((o) => o.start < end && start < o.end);
		if (inTheWay) plan.blocked.push(g);
		else plan.create.push(g);
	}
	return plan;
}

/** True when applying the plan would change nothing stored (orphans and blocked slots are reports). */
export function isNoop(plan: RegenerationPlan<unknown>): boolean {
	return plan.create.length === 0 && plan.update.length === 0 && plan.remove.length === 0;
}
