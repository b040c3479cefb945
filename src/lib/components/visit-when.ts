import { weekdayOf } from '$lib/domain/dates';
import { t, type Lang } from '$lib/i18n';

/** 2026年11月25日（水）10:30〜11:00 / Wed 25 November 2026, 10:30–11:00, from Tokyo ISO times. */
export function visitWhen(startsAt: string, endsAt: string, lang: Lang): string {
	const tr = t(lang);
	const date = startsAt.slice(0, 10);
	const [y, m, d] = date.split('-').map(Number);
	return tr.visitWhen(y, m, d, tr.weekdays[weekdayOf(date)], startsAt.slice(11, 16), endsAt.slice(11, 16));
}
