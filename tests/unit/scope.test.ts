import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mayServe, mayServeAny, servedLocations } from '../../src/lib/domain/scope.ts';
import { ROLES } from '../../src/lib/domain/roles.ts';

describe('served locations (R-S01)', () => {
	it('R-S01 R-O04 viewers and clerks serve only their list; admins and supervisors every location', () => {
		for (const role of ['viewer', 'clerk'] as const) {
			expect(mayServe({ role, locations: [1, 3] }, 1)).toBe(true);
			expect(mayServe({ role, locations: [1, 3] }, 2)).toBe(false);
			expect(servedLocations({ role, locations: [1, 3] })).toEqual([1, 3]);
		}
		for (const role of ['supervisor', 'admin'] as const) {
			expect(mayServe({ role, locations: [1] }, 2)).toBe(true);
			expect(servedLocations({ role, locations: [1] })).toBeNull();
		}
	});

	it('R-S01 no list (null, absent or empty) means every location, for cities that do not divide their staff', () => {
		for (const locations of [null, undefined, []]) {
			expect(mayServe({ role: 'clerk', locations }, 7)).toBe(true);
			expect(servedLocations({ role: 'viewer', locations })).toBeNull();
		}
	});

	it('R-S01 a transfer concerns two locations: either one served is enough', () => {
		expect(mayServeAny({ role: 'clerk', locations: [1] }, [2, 1])).toBe(true);
		expect(mayServeAny({ role: 'clerk', locations: [1] }, [2, 3])).toBe(false);
		expect(mayServeAny({ role: 'clerk', locations: [1] }, [null, undefined])).toBe(false);
	});

	it('R-S01 property: a limited viewer or clerk serves exactly the listed locations; a stronger role serves any', () => {
		fc.assert(
			fc.property(fc.constantFrom(...ROLES), fc.uniqueArray(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 50 }), (role, locations, id) => {
				const limited = role === 'viewer' || role === 'clerk';
				expect(mayServe({ role, locations }, id)).toBe(limited ? locations.includes(id) : true);
			})
		);
	});
});
