/**
 * Validation results shared by every schedule setting. Messages are the Japanese text shown to
 * staff next to the field; `field` names the input so a form can place it, `index` says which
 * entry of a list it concerns.
 */
export interface FieldError {
	field: string;
	message: string;
	index?: number;
}

export const MESSAGES = {
	required: '入力してください',
	time: '時刻は HH:MM の形式で入力してください',
	date: '日付は YYYY-MM-DD の形式で入力してください',
	endAfterStart: '終了時刻は開始時刻より後にしてください',
	lunchInside: '休憩時間は開庁時間内にしてください',
	slotLength: '枠の長さは 10・15・20・30・60 分のいずれかにしてください',
	noSlotFits: '開庁時間内に枠が1つも入りません',
	capacity: '定員は 0 以上の整数にしてください',
	nonNegativeInteger: '0 以上の整数にしてください',
	overlap: '時間帯が重複しています',
	duplicateDate: '同じ日付の設定が重複しています',
	unknownPattern: '存在しない開庁時間パターンです',
	duplicateName: '同じ名称のパターンがあります',
	weeklyPlan: '曜日ごとの設定は日曜から土曜までの7つが必要です',
	maxMode: '受付終了の指定方法は「日数」か「日付」にしてください',
	durationSlots: '必要な枠数は 1 以上の整数にしてください',
	code: 'コードは半角英小文字・数字・ハイフン・アンダースコアで入力してください'
} as const;

export function nonNegativeInteger(n: unknown): n is number {
	return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

export function blank(s: unknown): boolean {
	return typeof s !== 'string' || s.trim() === '';
}
