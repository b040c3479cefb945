import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitsParty, LEVELS } from '../../src/lib/domain/availability.ts';
import { tokyoIso } from '../../src/lib/domain/dates.ts';

describe('the day page rule: a time a verified party fits (domain fitsParty)', () => {
	it('R-C05 R-C06 without a verified party, every open time (many or few) can be chosen, whatever its room', () => {
		expect(fitsParty('many', undefined, null)).toBe(true);
		expect(fitsParty('few', 0, null)).toBe(true);
		expect(fitsParty('none', 10, null)).toBe(false);
		expect(fitsParty('closed', 10, null)).toBe(false);
	});

	it('R-C05 R-C06 with a verified party, a time fits only if it is open and has room for all of them', () => {
		expect(fitsParty('few', 2, 2)).toBe(true);
		expect(fitsParty('few', 1, 2)).toBe(false);
		expect(fitsParty('many', undefined, 1)).toBe(false); // a slot the room read did not see has no room
		expect(fitsParty('none', 5, 2)).toBe(false);
		expect(fitsParty('closed', 5, 2)).toBe(false);
	});

	it('R-C05 property: fitting is open ∧ (no party ∨ room ≥ party)', () => {
		fc.assert(
			fc.property(fc.constantFrom(...LEVELS), fc.option(fc.integer({ min: -3, max: 20 }), { nil: undefined }), fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }), (level, room, party) => {
				const open = level === 'many' || level === 'few';
				expect(fitsParty(level, room, party)).toBe(open && (party === null || (room ?? 0) >= party));
			})
		);
	});
});

describe('tokyoIso (lib/domain/dates)', () => {
	it('R-C05 an instant as ISO 8601 with +09:00, milliseconds dropped, across the Tokyo date line', () => {
		expect(tokyoIso(new Date('2026-11-26T01:00:00.123Z'))).toBe('2026-11-26T10:00:00+09:00');
		expect(tokyoIso(new Date('2026-12-31T15:30:00Z'))).toBe('2027-01-01T00:30:00+09:00');
	});
});
