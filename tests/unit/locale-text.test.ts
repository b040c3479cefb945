import { describe, expect, it } from 'vitest';
import { LOCALES, paragraphs, pickText } from '../../src/lib/domain/locale-text.ts';

describe('texts per locale (R-C16, R-S18)', () => {
	const text = { ja: '市民課', en: 'Citizens Division', vi: 'Phòng Công dân', ko: '  ' };

	it('R-C16 a locale with its own text gets it', () => {
		expect(pickText(text, 'ja')).toBe('市民課');
		expect(pickText(text, 'en')).toBe('Citizens Division');
		expect(pickText(text, 'vi')).toBe('Phòng Công dân');
	});

	it('R-C16 やさしい日本語 falls back to Japanese; every other language to English, then Japanese; blank is missing', () => {
		expect(pickText(text, 'ja-x-easy')).toBe('市民課');
		expect(pickText(text, 'ko')).toBe('Citizens Division');
		expect(pickText(text, 'zh-Hans')).toBe('Citizens Division');
		expect(pickText({ ja: '市民課' }, 'pt-BR')).toBe('市民課');
		expect(pickText({ ja: '市民課', en: '' }, 'id')).toBe('市民課');
		expect(pickText({ ja: 'やさしくない', 'ja-x-easy': 'やさしい' }, 'ja-x-easy')).toBe('やさしい');
		expect(pickText(null, 'ja')).toBe('');
	});

	it('R-C16 the locale tags of DESIGN "Languages", Japanese first', () => {
		expect(LOCALES).toEqual(['ja', 'ja-x-easy', 'en', 'zh-Hans', 'vi', 'ko', 'fil', 'pt-BR', 'ne', 'id']);
	});

	it('R-S18 a city text becomes paragraphs of lines (blank lines split paragraphs), never markup', () => {
		expect(paragraphs('一\n二\r\n\r\n\n三 \n<b>四</b>\n\n  \n')).toEqual([['一', '二'], ['三', '<b>四</b>']]);
		expect(paragraphs('')).toEqual([]);
	});
});
