import { describe, expect, it } from 'vitest';
import { warekiYear, withWareki } from '../../src/lib/domain/wareki.ts';
import { parseJapaneseDate } from '../../src/lib/domain/cards/dates.ts';

describe('和暦 beside the western date (staff pages)', () => {
	it('R-S04 R-S15 the era year from the platform calendar, 元年 for an era’s first year, right at the boundaries', () => {
		expect(withWareki('2026-12-15')).toBe('2026-12-15（令和8年）');
		expect(withWareki('2019-05-01')).toBe('2019-05-01（令和元年）');
		expect(withWareki('2019-04-30')).toBe('2019-04-30（平成31年）');
		expect(withWareki('1989-01-08')).toBe('1989-01-08（平成元年）');
		expect(withWareki('1989-01-07')).toBe('1989-01-07（昭和64年）');
		expect(withWareki('1985-01-02')).toBe('1985-01-02（昭和60年）');
		expect(warekiYear('1926-12-25')).toBe('昭和元年');
		expect(warekiYear('1926-12-24')).toBe('大正15年');
		expect(withWareki('not a date')).toBe('not a date');
		expect(warekiYear('')).toBe('');
	});

	it('R-S04 what the phone form accepts is the import’s parser: every spelling gives the same day, and the formatter reads it back', () => {
		for (const typed of ['1985-01-02', '1985/1/2', '昭和60年1月2日', 'S60.1.2', 's60.1.2', '昭和６０年１月２日']) {
			const r = parseJapaneseDate(typed);
			expect(r, typed).toEqual({ ok: true, value: '1985-01-02' });
			if (r.ok) expect(withWareki(r.value)).toBe('1985-01-02（昭和60年）');
		}
		expect(parseJapaneseDate('平成31年5月1日').ok).toBe(false);
	});
});
