import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countNotArrived, isNotArrived, lateFrom, lateMomentsPassed, type BookedVisit } from '../../src/lib/domain/late-arrival.ts';

const at = (hhmm: string) => new Date(`2026-12-14T${hhmm}:00+09:00`);
const visit = (over: Partial<BookedVisit> = {}): BookedVisit => ({ endsAt: at('10:30'), status: 'active', checkedIn: false, persons: 1, ...over });

describe('R-L02 not-yet-arrived rule (late-arrival minutes after the slot end)', () => {
	it('R-L02 a booked visit not checked in counts from slot end + late minutes, not before', () => {
		expect(isNotArrived(visit(), 15, at('10:44'))).toBe(false);
		expect(isNotArrived(visit(), 15, at('10:45'))).toBe(true);
		expect(isNotArrived(visit(), 0, at('10:30'))).toBe(true);
		expect(lateFrom(at('10:30'), 15).toISOString()).toBe(at('10:45').toISOString());
	});

	it('R-L02 checked-in, cancelled, completed and already-marked visits are not counted here; persons add up', () => {
		const now = at('12:00');
		expect(isNotArrived(visit({ checkedIn: true }), 15, now)).toBe(false);
		for (const status of ['cancelled', 'completed', 'no_show']) expect(isNotArrived(visit({ status }), 15, now)).toBe(false);
		expect(countNotArrived([visit({ persons: 3 }), visit({ persons: 2, checkedIn: true }), visit({ endsAt: at('11:50'), persons: 2 })], 15, now)).toBe(3);
	});

	it('R-L02 the count never falls as time passes (for the same visits), and neither do the passed late moments', () => {
		fc.assert(
			fc.property(
				fc.array(fc.record({ end: fc.integer({ min: 0, max: 600 }), checkedIn: fc.boolean(), persons: fc.integer({ min: 1, max: 5 }) }), { maxLength: 30 }),
				fc.integer({ min: 0, max: 60 }),
				fc.integer({ min: 0, max: 700 }),
				fc.integer({ min: 0, max: 100 }),
				(vs, late, t, dt) => {
					const base = at('09:00').getTime();
					const visits = vs.map((v) => visit({ endsAt: new Date(base + v.end * 60_000), checkedIn: v.checkedIn, persons: v.persons }));
					const t1 = new Date(base + t * 60_000);
					const t2 = new Date(t1.getTime() + dt * 60_000);
					expect(countNotArrived(visits, late, t2)).toBeGreaterThanOrEqual(countNotArrived(visits, late, t1));
					const ends = visits.map((v) => v.endsAt);
					expect(lateMomentsPassed(ends, late, t2)).toBeGreaterThanOrEqual(lateMomentsPassed(ends, late, t1));
				}
			)
		);
	});
});
