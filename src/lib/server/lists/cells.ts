/** One list row → the cells printed under the Japanese headers of LIST_SPECS (same order). */
import { personStatusJa, visitLabelJa, type ListKind } from '../../domain/lists/index.ts';
import { tokyoDate, tokyoTime } from '../../domain/schedule/time.ts';
import type { ListRow } from './query.ts';

const hhmm = (d: Date | null) => (d ? tokyoTime(new Date(d)) : '');

function followUp(r: ListRow): string {
	if (!r.has_email) return '対象外（メールなし）';
	if (r.follow_published_at) return '送信済';
	if (r.follow_failed_at) return '送信失敗';
	if (r.follow_queued) return '送信待ち';
	return '未送信';
}

export type ShipBy = (r: ListRow) => string;

export function cellsOf(kind: ListKind, r: ListRow, shipBy: ShipBy): string[] {
	const start = new Date(r.starts_at);
	switch (kind) {
		case 'reservations':
			return [
				r.date,
				hhmm(start),
				r.booking_number,
				r.name_kanji,
				r.name_kana,
				r.notice_id,
				`${r.party_size}人/${r.purpose_ja}`,
				visitLabelJa(r.status, r.visit_statuses ?? [r.person_status]),
				personStatusJa(r.person_status),
				r.checked_in_at ? `${tokyoDate(new Date(r.checked_in_at)) === r.date ? '' : `${tokyoDate(new Date(r.checked_in_at))} `}${hhmm(r.checked_in_at)}` : ''
			];
		case 'pull':
			return [r.storage_name, r.box_position, r.notice_id, r.name_kanji, r.name_kana, `${r.date} ${hhmm(start)}`, r.issuing_name];
		case 'transfer':
			return [r.storage_name, r.issuing_name, r.date, shipBy(r), r.notice_id, r.name_kanji, r.box_position];
		case 'no-shows':
			return [r.date, hhmm(start), r.booking_number, r.name_kanji, r.name_kana, r.has_email ? 'あり' : 'なし', followUp(r)];
	}
}
