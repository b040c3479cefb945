/** Citizen-page words of the city's own pages and the footer (R-S18), Japanese and English. */
export const cityText = {
	ja: {
		privacy: '個人情報の取扱い',
		help: 'よくある質問',
		contact: 'お問い合わせ',
		footer: 'このサイトについて',
		maintenance: 'メンテナンスのお知らせ',
		maintenanceLead: 'この時間は予約の受付・確認・変更ができません。'
	},
	en: {
		privacy: 'Privacy notice',
		help: 'Help and FAQ',
		contact: 'Contact',
		footer: 'About this site',
		maintenance: 'Planned maintenance',
		maintenanceLead: 'Booking, checking and changing bookings are not available during this time.'
	}
} as const;
