import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { visitWhen } from '../../src/lib/components/visit-when.ts';
import { addDays } from '../../src/lib/domain/dates.ts';

describe('the visit as a citizen reads it', () => {
	it('R-C09 R-C01 the date carries the year and the weekday, in Japanese and in English', () => {
		expect(visitWhen('2026-11-25T10:30:00+09:00', '2026-11-25T11:00:00+09:00', 'ja')).toBe('2026年11月25日（水）10:30〜11:00');
		expect(visitWhen('2026-11-25T10:30:00+09:00', '2026-11-25T11:00:00+09:00', 'en')).toBe('Wed 25 November 2026, 10:30–11:00');
		expect(visitWhen('2027-01-03T09:00:00+09:00', '2027-01-03T09:15:00+09:00', 'ja')).toBe('2027年1月3日（日）09:00〜09:15');
		expect(visitWhen('2028-02-29T16:45:00+09:00', '2028-02-29T17:00:00+09:00', 'en')).toBe('Tue 29 February 2028, 16:45–17:00');
	});

	it('R-C09 seven days in a row show seven different weekdays, the one of the Tokyo date written', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 3650 }), (n) => {
				const days = Array.from({ length: 7 }, (_, i) => addDays('2026-01-01', n + i));
				const shown = days.map((d) => /（(.)）/.exec(visitWhen(`${d}T10:00:00+09:00`, `${d}T10:30:00+09:00`, 'ja'))![1]);
				expect(new Set(shown).size).toBe(7);
				expect(visitWhen(`${days[0]}T10:00:00+09:00`, `${days[0]}T10:30:00+09:00`, 'ja')).toContain(`${Number(days[0].slice(5, 7))}月${Number(days[0].slice(8, 10))}日`);
			})
		);
	});
});
