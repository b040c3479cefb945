/**
 * One row of an existing-bookings file (R-S16): reservations taken before go-live, one row per
 * person; rows with the same 予約番号 are one household visit. Pure: locations, purposes and today
 * are arguments. Capacity and the one-booking-per-card rule need the database and are checked by
 * the use case.
 */
import { parseJapaneseDate } from './dates.ts';
import { normalizeNoticeId, resolveStorageLocation, type StorageLocationRef } from './fields.ts';
import { mapColumns } from './import-row.ts';
import { isDeliverableAddress } from '../mail-format.ts';

export const RESERVATION_COLUMNS = [
	{ key: 'group', header: '予約番号', required: false },
	{ key: 'noticeId', header: '交付通知書番号', required: true },
	{ key: 'birthDate', header: '生年月日', required: true },
	{ key: 'location', header: '交付場所', required: true },
	{ key: 'date', header: '来庁日', required: true },
	{ key: 'time', header: '来庁時刻', required: true },
	{ key: 'purpose', header: '用件', required: false },
	{ key: 'email', header: 'メールアドレス', required: false }
] as const;

export type ReservationColumn = (typeof RESERVATION_COLUMNS)[number]['key'];
export const mapReservationHeader = (header: readonly string[]) => mapColumns(header, RESERVATION_COLUMNS);
export type ReservationHeader = ReturnType<typeof mapReservationHeader>;

export interface PurposeRef {
	id: number;
	code: string;
	nameJa: string;
}

export interface ReservationRow {
	line: number;
	/** the legacy booking number, or a key of its own when blank */
	group: string;
	noticeId: string;
	birthDate: string;
	locationId: number;
	date: string;
	time: string;
	purposeId: number;
	email: string | null;
}


export function validateReservationRow(
	values: readonly string[],
	map: ReservationHeader,
	rules: { line: number; locations: readonly StorageLocationRef[]; purposes: readonly PurposeRef[]; defaultPurposeId: number }
): { ok: true; row: ReservationRow } | { ok: false; errors: { column: string; message: string }[] } {
	const errors: { column: string; message: string }[] = [];
	const get = (k: ReservationColumn) => {
		const i = map.index[k];
		return i === undefined ? '' : (values[i] ?? '').normalize('NFKC').trim();
	};
	const noticeId = normalizeNoticeId(get('noticeId'));
	if (!noticeId) errors.push({ column: '交付通知書番号', message: '交付通知書番号は英数字20文字以内で入力してください' });
	const birth = parseJapaneseDate(get('birthDate'));
	if (!birth.ok) errors.push({ column: '生年月日', message: `生年月日: ${birth.message}` });
	const location = resolveStorageLocation(get('location'), rules.locations);
	if (!location) errors.push({ column: '交付場所', message: `交付場所「${get('location').slice(0, 40)}」は登録されていません` });
	const date = parseJapaneseDate(get('date'));
	if (!date.ok) errors.push({ column: '来庁日', message: `来庁日: ${date.message}` });
	const t = /^(\d{1,2}):(\d{2})$/.exec(get('time'));
	const time = t && Number(t[1]) < 24 && Number(t[2]) < 60 ? `${t[1].padStart(2, '0')}:${t[2]}` : null;
	if (!time) errors.push({ column: '来庁時刻', message: '来庁時刻は 9:30 のように入力してください' });
	let purposeId = rules.defaultPurposeId;
	if (get('purpose')) {
		const p = rules.purposes.find((x) => x.code === get('purpose') || x.nameJa === get('purpose'));
		if (!p) errors.push({ column: '用件', message: `用件「${get('purpose').slice(0, 40)}」は登録されていません` });
		else purposeId = p.id;
	}
	const email = get('email');
	if (email && !isDeliverableAddress(email)) errors.push({ column: 'メールアドレス', message: 'メールアドレスの形式が正しくありません' });
	const group = get('group');
	if (group.length > 32) errors.push({ column: '予約番号', message: '予約番号は32文字以内です' });
	if (errors.length) return { ok: false, errors };
	return {
		ok: true,
		row: {
			line: rules.line,
			group: group ? `g:${group}` : `line:${rules.line}`,
			noticeId: noticeId!,
			birthDate: (birth as { value: string }).value,
			locationId: location!.id,
			date: (date as { value: string }).value,
			time: time!,
			purposeId,
			email: email || null
		}
	};
}
