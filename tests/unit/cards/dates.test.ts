import { describe, expect, it } from 'vitest';
import { parseJapaneseDate } from '../../../src/lib/domain/cards/dates.ts';

const ok = (s: string) => {
	const r = parseJapaneseDate(s);
	if (!r.ok) throw new Error(`${s}: ${r.message}`);
	return r.value;
};
const refused = (s: string) => {
	const r = parseJapaneseDate(s);
	expect(r.ok, s).toBe(false);
	return r.ok ? '' : r.message;
};

describe('card import dates', () => {
	it('R-S02 western forms: 1985/01/02, 1985-01-02, 1985/1/2, 1985年1月2日, 19850102, full-width digits', () => {
		for (const s of ['1985/01/02', '1985-01-02', '1985/1/2', '1985.1.2', '1985年1月2日', '19850102', '１９８５／０１／０２', ' 1985-01-02 ']) {
			expect(ok(s), s).toBe('1985-01-02');
		}
	});

	it('R-S02 和暦: 昭和60年1月2日, 元年, every era and its letter, full-width digits', () => {
		expect(ok('昭和60年1月2日')).toBe('1985-01-02');
		expect(ok('昭和６０年１月２日')).toBe('1985-01-02');
		expect(ok('S60.1.2')).toBe('1985-01-02');
		expect(ok('s60/01/02')).toBe('1985-01-02');
		expect(ok('平成元年1月8日')).toBe('1989-01-08');
		expect(ok('H1.1.8')).toBe('1989-01-08');
		expect(ok('令和元年5月1日')).toBe('2019-05-01');
		expect(ok('令和6年2月29日')).toBe('2024-02-29');
		expect(ok('大正15年12月24日')).toBe('1926-12-24');
		expect(ok('大正元年7月30日')).toBe('1912-07-30');
		expect(ok('昭和元年12月25日')).toBe('1926-12-25');
		expect(ok('昭和64年1月7日')).toBe('1989-01-07');
		expect(ok('明治45年7月29日')).toBe('1912-07-29');
	});

	it('R-S02 和暦 outside its era is refused with the reason', () => {
		expect(refused('平成31年5月1日')).toContain('平成の期間外');
		expect(refused('昭和64年1月8日')).toContain('昭和の期間外');
		expect(refused('令和元年4月30日')).toContain('令和の期間外');
		expect(refused('大正元年7月29日')).toContain('大正の期間外');
		expect(refused('昭和0年1月1日')).toContain('和暦の年');
	});

	it('R-S02 impossible and malformed dates are refused', () => {
		expect(refused('1985/02/30')).toContain('存在しない日付');
		expect(refused('2023-02-29')).toContain('存在しない日付');
		expect(refused('昭和60年13月1日')).toContain('存在しない日付');
		expect(refused('1985/01')).toContain('1985/01/02');
		expect(refused('あした')).toContain('1985/01/02');
		expect(refused('')).toContain('空');
	});
});
