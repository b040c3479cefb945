import { describe, expect, it } from 'vitest';
import { isNewer, mergeSlots, newerOf, type SlotState } from '../../src/lib/realtime/events.ts';

/**
 * R-L04: the server joins a socket to its room before it reads the state it acks, so a push can
 * reach the client before the ack; what the client keeps is decided here.
 */
const month = (version: string) => ({ locationId: 1, month: '2026-12', days: [], version });
const slot = (id: string, version: string, booked = 0): SlotState => ({
	id,
	locationId: 1,
	date: '2026-12-02',
	startsAt: `2026-12-02T${id}:00+09:00`,
	endsAt: `2026-12-02T${id}:30+09:00`,
	capacity: 4,
	booked,
	held: 0,
	checkedIn: 0,
	version
});

describe('acks and pushes of one room (R-L04)', () => {
	it('R-L04 an ack older than a push that arrived while it was on its way does not undo the push; a newer or equal ack is taken', () => {
		expect(newerOf(month('10'), month('12')).version).toBe('12');
		expect(newerOf(month('12'), month('10')).version).toBe('12');
		const ack = month('11');
		expect(newerOf(ack, month('11'))).toBe(ack);
		expect(newerOf(ack, null)).toBe(ack);
		// versions are compared as numbers, not as text
		expect(newerOf(month('9'), month('10')).version).toBe('10');
		expect(isNewer(month('10'), month('9'))).toBe(true);
	});

	it('R-L04 R-L01 a staff day: per slot the newer of the ack and the slots pushed meanwhile', () => {
		const ack = [slot('09', '5', 1), slot('10', '7', 2)];
		const meanwhile = [slot('09', '6', 2), slot('10', '6', 1)];
		const kept = mergeSlots(ack, meanwhile);
		expect(kept.map((s) => [s.id, s.version, s.booked])).toEqual([
			['09', '6', 2],
			['10', '7', 2]
		]);
	});
});
