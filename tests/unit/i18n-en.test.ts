import { describe, expect, it } from 'vitest';
import { t } from '../../src/lib/i18n.ts';

/** Every English string of the citizen dictionary, functions called with sample values. */
function englishStrings(): [string, string][] {
	const out: [string, string][] = [];
	for (const [key, v] of Object.entries(t('en'))) {
		if (typeof v === 'string') out.push([key, v]);
		else if (Array.isArray(v)) v.forEach((x, i) => typeof x === 'string' && out.push([`${key}[${i}]`, x]));
		else if (typeof v === 'function') {
			const fn = v as (...a: unknown[]) => unknown;
			// numbers, then strings, then a list: whichever the function takes
			for (const arg of [2, 'X', ['A', 'B']]) {
				try {
					const r = fn(...Array.from({ length: fn.length }, () => arg));
					if (typeof r === 'string') out.push([`${key}(${JSON.stringify(arg)})`, r]);
				} catch {
					/* not this kind of argument */
				}
			}
		} else if (v && typeof v === 'object') {
			for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out.push([`${key}.${k}`, x]);
		}
	}
	return out;
}

describe('English citizen texts', () => {
	it('R-C16 no full-width punctuation （、。：「」〜） in any English string of the dictionary, and the shared helpers use English punctuation', () => {
		const strings = englishStrings();
		expect(strings.length).toBeGreaterThan(50);
		const bad = strings.filter(([, s]) => /[（）、。：「」〜・]/.test(s));
		expect(bad).toEqual([]);
		const en = t('en');
		expect(en.range('10:00', '10:30')).toBe('10:00–10:30');
		expect(en.paren(en.list(['A', 'B']))).toBe(' (A, B)');
		expect(t('ja').paren(t('ja').list(['A', 'B']))).toBe('（A、B）');
	});
});
