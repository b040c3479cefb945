import { describe, expect, it } from 'vitest';
import { bodyLimitFor, KIB, MIB, parseSize } from '../../server/body-limit.ts';

describe('request body limits per route class (R-O04)', () => {
	const largest = parseSize('52M');
	it('R-O04 imports may be large, staff posts 1 MiB, everything else 64 KiB', () => {
		expect(largest).toBe(52 * MIB);
		for (const u of ['/api/v1/staff/imports/cards', '/api/v1/staff/imports/reservations?reason=x', '/staff/imports?/cards', '/staff/imports']) expect(bodyLimitFor(u, largest), u).toBe(largest);
		for (const u of ['/api/v1/staff/users', '/staff/login', '/staff/settings?/city', '/staff']) expect(bodyLimitFor(u, largest), u).toBe(MIB);
		for (const u of ['/?/link', '/api/v1/citizen/links', '/api/v1/holds', '/manage/x/persons', '/staffing', '/api/v1/staffimports']) expect(bodyLimitFor(u, largest), u).toBe(64 * KIB);
		// an operator's smaller BODY_SIZE_LIMIT caps every class
		expect(bodyLimitFor('/staff/login', 512 * KIB)).toBe(512 * KIB);
		expect(parseSize('512K')).toBe(512 * KIB);
		expect(parseSize('lots')).toBe(Infinity);
	});
});
