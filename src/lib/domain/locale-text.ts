/**
 * Texts a city writes per language (R-C16, R-S18): the city's name, contact, privacy notice, help.
 * Pure: stored as a JSON object keyed by locale tag, `ja` always present.
 */

/** The locale tags of DESIGN "Languages", Japanese first. */
export const LOCALES = ['ja', 'ja-x-easy', 'en', 'zh-Hans', 'vi', 'ko', 'fil', 'pt-BR', 'ne', 'id'] as const;
export type Locale = (typeof LOCALES)[number];

/** A text per locale; `ja` is required, any other locale may be missing or empty (not translated). */
export type LocalizedText = { ja: string } & Partial<Record<Exclude<Locale, 'ja'>, string>>;

/** Readable names of the locales, for staff screens. */
export const LOCALE_NAMES: Record<Locale, string> = {
	ja: '日本語',
	'ja-x-easy': 'やさしい日本語',
	en: '英語（English）',
	'zh-Hans': '中国語（简体中文）',
	vi: 'ベトナム語（Tiếng Việt）',
	ko: '韓国語（한국어）',
	fil: 'フィリピノ語（Filipino）',
	'pt-BR': 'ポルトガル語（Português）',
	ne: 'ネパール語（नेपाली）',
	id: 'インドネシア語（Bahasa Indonesia）'
};

const filled = (s: string | undefined): s is string => typeof s === 'string' && s.trim() !== '';

/**
 * The text to show in `locale`: its own translation when there is one; otherwise やさしい日本語
 * falls back to Japanese, every other language to English and then Japanese.
 */
export function pickText(text: Partial<Record<string, string>> | null | undefined, locale: string): string {
	if (!text) return '';
	const own = text[locale];
	if (filled(own)) return own;
	const chain = locale === 'ja' || locale === 'ja-x-easy' ? ['ja'] : ['en', 'ja'];
	for (const l of chain) {
		const v = text[l];
		if (filled(v)) return v;
	}
	return '';
}

/** Splits a text into paragraphs (blank lines) and lines, for rendering as plain text: no HTML. */
export function paragraphs(text: string): string[][] {
	return text
		.replace(/\r\n?/g, '\n')
		.split(/\n\s*\n/)
		.map((p) => p.split('\n').map((l) => l.trimEnd()).filter((l, i, a) => l !== '' || (i > 0 && i < a.length - 1)))
		.filter((p) => p.some((l) => l.trim() !== ''));
}
