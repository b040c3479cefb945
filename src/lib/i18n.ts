/** Japanese first; English as the second UI language (R-C01). */
export type Lang = 'ja' | 'en';

const ja = {
	siteTitle: 'マイナンバーカード交付予約',
	skip: '本文へ移動',
	chooseLocation: '交付場所を選んでください',
	chooseLocationHelp: 'マイナンバーカードを受け取る窓口を選ぶと、予約できる日が表示されます。',
	calendarOf: 'の予約状況',
	prevMonth: '前の月',
	nextMonth: '次の月',
	legend: '記号の見かた',
	live: '最新の状況を表示中',
	reconnecting: '再接続中…（表示が古い可能性があります）',
	connecting: '接続中…',
	weekdays: ['日', '月', '火', '水', '木', '金', '土'],
	backToLocations: '交付場所の一覧へ戻る',
	otherLanguage: 'English',
	staffLogin: '職員ログイン',
	chooseTime: '時間を選んでください',
	purpose: '用件',
	partySize: '来庁する人数（ご家族を含む）',
	persons: '人',
	hold: 'この時間で進む',
	heldUntil: 'この時間をお取り置きしています。次の時刻までに予約を確定してください：',
	precautions: '注意事項',
	acknowledge: '注意事項を読み、確認しました',
	person: '人目',
	noticeId: '交付通知書番号',
	birthDate: '生年月日',
	email: 'メールアドレス（任意・予約内容をお送りします）',
	confirm: '予約を確定する',
	cancelHold: 'この時間を取り消す',
	done: '予約が完了しました',
	bookingNumber: '予約番号',
	backToCalendar: 'カレンダーに戻る',
	noTimes: 'この日に予約できる時間はありません。'
};
type Dict = typeof ja;
const en: Dict = {
	siteTitle: 'My Number Card Pick-up Reservation',
	skip: 'Skip to content',
	chooseLocation: 'Choose an issuing location',
	chooseLocationHelp: 'Choose the counter where you will receive your My Number card to see the days you can book.',
	calendarOf: ' — availability',
	prevMonth: 'Previous month',
	nextMonth: 'Next month',
	legend: 'Legend',
	live: 'Showing live availability',
	reconnecting: 'Reconnecting… (what you see may be out of date)',
	connecting: 'Connecting…',
	weekdays: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
	backToLocations: 'Back to locations',
	otherLanguage: '日本語',
	staffLogin: 'Staff login',
	chooseTime: 'Choose a time',
	purpose: 'Purpose',
	partySize: 'People coming (household included)',
	persons: '',
	hold: 'Continue with this time',
	heldUntil: 'This time is held for you. Please confirm before:',
	precautions: 'Before you come',
	acknowledge: 'I have read the notes above',
	person: '',
	noticeId: 'Issuance notice number',
	birthDate: 'Date of birth',
	email: 'Email (optional, for your confirmation)',
	confirm: 'Confirm booking',
	cancelHold: 'Give this time back',
	done: 'Your booking is confirmed',
	bookingNumber: 'Booking number',
	backToCalendar: 'Back to the calendar',
	noTimes: 'No times can be booked on this day.'
};

export function t(lang: Lang): Dict {
	return lang === 'en' ? en : ja;
}

export { staffText, visitWhen } from './i18n-staff.ts';
