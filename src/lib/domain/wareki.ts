/**
 * 和暦 beside the western date, where staff read dates (counter, booking and card pages):
 * `2026-12-15（令和8年）`. The era comes from the platform's Japanese calendar
 * (Intl, ja-JP-u-ca-japanese), not from a table kept here, so a new era needs no release.
 * Pure: no clock, no I/O; shared with the browser.
 */
const ERA_YEAR = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', { era: 'long', year: 'numeric', timeZone: 'UTC' });

/** 令和8年 for 2026-12-15; 元年 for the first year of an era; '' for what is not a YYYY-MM-DD date. */
export function warekiYear(isoDate: string): string {
	const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate ?? '');
	if (!m) return '';
	const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
	if (Number.isNaN(d.getTime())) return '';
	const parts = ERA_YEAR.formatToParts(d);
	const era = parts.find((p) => p.type === 'era')?.value ?? '';
	const year = parts.find((p) => p.type === 'year')?.value ?? '';
	if (!era || !year) return '';
	return `${era}${year === '1' ? '元' : year}年`;
}

/** `2026-12-15（令和8年）`: the western date first (what the system stores), the era year beside it. */
export function withWareki(isoDate: string): string {
	const y = warekiYear(isoDate);
	return y ? `${isoDate.slice(0, 10)}（${y}）` : isoDate;
}
