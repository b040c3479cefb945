import { describe, expect, it } from 'vitest';
import { normalisePhone } from '../../src/lib/domain/phone.ts';

describe('caller phone number (phone bookings)', () => {
	it('R-S04 numbers as clerks type them are kept half-width; too short, too long or with letters are refused', () => {
		expect(normalisePhone('090-1234-5678')).toBe('090-1234-5678');
		expect(normalisePhone('０９０－１２３４－５６７８')).toBe('090-1234-5678');
		expect(normalisePhone('03 1234 5678')).toBe('03-1234-5678');
		expect(normalisePhone('(03)1234-5678')).toBe('(03)1234-5678');
		expect(normalisePhone('+81 90 1234 5678')).toBe('+81-90-1234-5678');
		expect(normalisePhone('09012345678')).toBe('09012345678');
		for (const bad of ['', '0120', '12-34', '090-1234-567a', '0901234567890123', 'tel:0312345678', '03-1234-5678; DROP']) expect(normalisePhone(bad), bad).toBeNull();
	});
});
