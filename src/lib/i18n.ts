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
	staffLogin: '職員ログイン'
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
	staffLogin: 'Staff login'
};

export function t(lang: Lang): Dict {
	return lang === 'en' ? en : ja;
}
