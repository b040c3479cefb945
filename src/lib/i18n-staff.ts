/**
 * Staff UI text for the counter, reservation and visit pages, Japanese first, English second
 * (the header's language switch applies to staff pages too). Reached through $lib/i18n.
 */
import type { CardStatus } from './domain/card-status.ts';

const ja = {
	nav: { menu: '職員メニュー', top: '職員トップ', slots: '枠の状況', checkin: '来庁受付', search: '予約の検索', book: '窓口・電話予約', settings: '予約の設定', boards: '壁掛け表示', logout: 'ログアウト' },
	status: {
		notice_sent: '通知書発送済',
		reserved: '予約済',
		checked_in: '来庁',
		issued: '交付済',
		needs_redo: '不備・再手続',
		no_show: '未来庁',
		returned: '返戻',
		cancelled: '取消'
	} satisfies Record<CardStatus, string>,
	visitStatus: { active: '有効', cancelled: '取消済み', no_show: '未来庁', completed: '完了' } as Record<string, string>,
	checkin: {
		title: '来庁受付',
		lead: 'QRコードリーダーで予約のQRコードを読み取ってください（この欄に入力されます）。QRコードがない方は、下の検索で予約を探せます。',
		codeLabel: 'QRコード',
		codeHelp: '読み取ると自動で受付します。手入力の場合は入力後 Enter。',
		scan: '受付する',
		searchTitle: 'QRコードがない場合：予約を検索',
		searchLabel: '予約番号・氏名（カナ）・交付通知書番号',
		searchButton: '検索',
		onlyToday: '本日の予約のみ',
		noResults: '該当する予約はありません。',
		open: '開く',
		checkInThis: 'この予約を受付',
		checkedInNow: '来庁受付しました。',
		alreadyCheckedIn: 'この予約はすでに来庁受付済みです。',
		booking: '予約',
		bookingNumber: '予約番号',
		place: '交付場所',
		time: '日時',
		persons: '来庁者',
		position: '人目',
		kana: '氏名（カナ）',
		name: '氏名',
		noticeId: '交付通知書番号',
		birthDate: '生年月日',
		cardStatus: '状態',
		storage: '保管場所・位置',
		transfer: '回送が必要（保管場所が交付場所と異なります）',
		note: '職員メモ（市民には表示されません）',
		noteSave: 'メモを保存',
		noteSaved: 'メモを保存しました。',
		noteBy: '最終更新',
		noteHistory: 'メモの履歴',
		noteCleared: '（メモを削除）',
		issue: '交付済にする',
		issueConfirm: '交付済にしてよろしいですか？',
		issueYes: 'はい、交付済にする',
		cancel: 'やめる',
		issued: '交付済にしました。',
		undo: '交付済を取り消す',
		undone: '交付済を取り消しました（来庁に戻しました）。',
		undoUntil: 'まで取り消せます',
		redo: '不備・再手続',
		redoNote: '不備の内容（必須）',
		redoSave: '不備・再手続として記録',
		redone: '不備・再手続として記録しました。',
		statusNote: '記録',
		nextScan: '次のQRコードを読み取れます。'
	},
	visits: {
		title: '本日の来庁・予約一覧',
		titleOn: 'の予約一覧',
		jumpVisits: '予約一覧へ',
		jumpSlots: '枠の一覧へ',
		time: '時刻',
		number: '予約番号',
		persons: '氏名（カナ）・カードの状態',
		counter: '窓口',
		checkIn: '来庁受付',
		checkedInAt: '受付',
		notToday: '来庁受付は当日のみ',
		none: 'この日の予約はありません。'
	},
	search: {
		title: '予約の検索',
		lead: '予約番号・氏名（カナ）・交付通知書番号で予約を探し、日時の変更や取消ができます。',
		location: '交付場所',
		any: 'すべて',
		date: '日付',
		status: '状態',
		results: '件',
		more: '件以上あります。条件を絞ってください。',
		move: '日時を変更',
		cancelBooking: '予約を取り消す'
	},
	detail: {
		title: '予約の詳細',
		back: '検索に戻る',
		moveTitle: '日時・交付場所の変更',
		moveLead: '交付場所と日付を選んで「空き枠を表示」を押し、新しい時間を選んでください。',
		showSlots: '空き枠を表示',
		moveTo: 'この時間に変更',
		remaining: '残り',
		full: '満員',
		past: '受付終了',
		override: '定員超過で予約（満員でもこの時間に変更する・監督者・管理者、理由は操作ログに記録）',
		reason: '理由',
		moved: '予約を変更しました。',
		cancelTitle: '予約の取消',
		cancelReason: '取消の理由（任意、操作ログに記録）',
		cancelConfirm: '取り消すと元に戻せません。市民に取消を伝えたことを確認しました',
		cancelDo: '予約を取り消す',
		cancelled: '予約を取り消しました。',
		notEditable: 'この予約は変更・取消できません（来庁済み・取消済み・完了など）。',
		email: 'メールアドレス'
	},
	slots: {
		title: '枠の状況',
		none: 'この日は枠がありません（閉庁日または未作成）。',
		caption: '時間帯ごとの定員・予約・保留・来庁・残り',
		time: '時間',
		capacity: '定員',
		booked: '予約',
		held: '保留',
		checkedIn: '来庁',
		remaining: '残り',
		change: '定員の変更（監督者）',
		reasonPh: '理由（必須）',
		changeButton: '変更',
		override: '定員超過を承知で変更（予約数を下回る定員にする・操作ログに記録）',
		saved: '変更しました。',
		affected: '定員を超える予約：',
		openAtCounter: '窓口画面で開く'
	},
	booked: {
		title: '予約しました。電話の方には次の内容をお伝えください。',
		again: '続けて別の予約を入力する'
	}
};

type Dict = typeof ja;

const en: Dict = {
	nav: { menu: 'Staff menu', top: 'Staff home', slots: 'Slots', checkin: 'Check-in', search: 'Find a booking', book: 'Counter / phone booking', settings: 'Booking settings', boards: 'Wall boards', logout: 'Log out' },
	status: {
		notice_sent: 'Notice sent',
		reserved: 'Reserved',
		checked_in: 'Checked in',
		issued: 'Issued',
		needs_redo: 'Needs re-procedure',
		no_show: 'No-show',
		returned: 'Returned mail',
		cancelled: 'Cancelled'
	},
	visitStatus: { active: 'Active', cancelled: 'Cancelled', no_show: 'No-show', completed: 'Completed' },
	checkin: {
		title: 'Check-in',
		lead: "Scan the booking's QR code with the reader (it types into this field). Without a QR code, find the booking with the search below.",
		codeLabel: 'QR code',
		codeHelp: 'A scan checks in at once. When typing by hand, press Enter.',
		scan: 'Check in',
		searchTitle: 'No QR code: find the booking',
		searchLabel: 'Booking number, name (kana) or notice number',
		searchButton: 'Search',
		onlyToday: "Today's bookings only",
		noResults: 'No booking found.',
		open: 'Open',
		checkInThis: 'Check in this booking',
		checkedInNow: 'Checked in.',
		alreadyCheckedIn: 'This booking was already checked in.',
		booking: 'Booking',
		bookingNumber: 'Booking number',
		place: 'Location',
		time: 'Date and time',
		persons: 'Persons',
		position: '',
		kana: 'Name (kana)',
		name: 'Name',
		noticeId: 'Notice number',
		birthDate: 'Date of birth',
		cardStatus: 'Status',
		storage: 'Storage and position',
		transfer: 'Transfer needed (stored elsewhere)',
		note: 'Staff note (never shown to citizens)',
		noteSave: 'Save note',
		noteSaved: 'Note saved.',
		noteBy: 'Last changed',
		noteHistory: 'Note history',
		noteCleared: '(note removed)',
		issue: 'Mark issued',
		issueConfirm: 'Mark this card as issued?',
		issueYes: 'Yes, mark issued',
		cancel: 'Cancel',
		issued: 'Marked issued.',
		undo: 'Undo issued',
		undone: 'Issued undone (back to checked in).',
		undoUntil: 'can be undone until',
		redo: 'Needs re-procedure',
		redoNote: 'What is missing (required)',
		redoSave: 'Record needs re-procedure',
		redone: 'Recorded as needing re-procedure.',
		statusNote: 'Note',
		nextScan: 'Ready for the next QR code.'
	},
	visits: {
		title: "Today's visits",
		titleOn: ' — visits',
		jumpVisits: 'Go to visits',
		jumpSlots: 'Go to slots',
		time: 'Time',
		number: 'Booking number',
		persons: 'Names (kana) and card status',
		counter: 'Counter',
		checkIn: 'Check in',
		checkedInAt: 'Checked in',
		notToday: 'Check-in on the day only',
		none: 'No bookings on this day.'
	},
	search: {
		title: 'Find a booking',
		lead: 'Find a booking by number, name (kana) or notice number, then move or cancel it.',
		location: 'Location',
		any: 'All',
		date: 'Date',
		status: 'Status',
		results: 'found',
		more: 'or more found. Narrow the search.',
		move: 'Change date/time',
		cancelBooking: 'Cancel booking'
	},
	detail: {
		title: 'Booking',
		back: 'Back to search',
		moveTitle: 'Change date, time or location',
		moveLead: 'Choose a location and a date, press "Show slots", then pick the new time.',
		showSlots: 'Show slots',
		moveTo: 'Move to this time',
		remaining: 'Left',
		full: 'Full',
		past: 'Closed',
		override: 'Move beyond capacity (supervisor/admin; the reason is logged)',
		reason: 'Reason',
		moved: 'Booking changed.',
		cancelTitle: 'Cancel the booking',
		cancelReason: 'Reason (optional, logged)',
		cancelConfirm: 'This cannot be undone. I have told the citizen about the cancellation',
		cancelDo: 'Cancel booking',
		cancelled: 'Booking cancelled.',
		notEditable: 'This booking cannot be changed (checked in, cancelled or completed).',
		email: 'Email'
	},
	slots: {
		title: 'Slots',
		none: 'No slots on this day (closed or not yet created).',
		caption: 'Capacity, booked, held, checked in and left per time',
		time: 'Time',
		capacity: 'Capacity',
		booked: 'Booked',
		held: 'Held',
		checkedIn: 'Checked in',
		remaining: 'Left',
		change: 'Change capacity (supervisor)',
		reasonPh: 'Reason (required)',
		changeButton: 'Change',
		override: 'Change knowing it goes below the bookings (logged)',
		saved: 'Changed.',
		affected: 'Bookings above capacity: ',
		openAtCounter: 'Open at the counter'
	},
	booked: {
		title: 'Booked. Read this back to the caller:',
		again: 'Enter another booking'
	}
};

export function staffText(lang: 'ja' | 'en'): Dict {
	return lang === 'en' ? en : ja;
}

/** 2026年11月27日（金）10:30〜11:00 / Fri 27 Nov 2026, 10:30–11:00 */
export function visitWhen(lang: 'ja' | 'en', startsAt: string, endsAt: string): string {
	const d = new Date(startsAt);
	const hhmm = (iso: string) => iso.slice(11, 16);
	if (lang === 'en') {
		const day = d.toLocaleDateString('en-GB', { timeZone: 'Asia/Tokyo', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
		return `${day}, ${hhmm(startsAt)}–${hhmm(endsAt)}`;
	}
	const day = d.toLocaleDateString('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' });
	return `${day.replace(/\((.)\)/, '（$1）')} ${hhmm(startsAt)}〜${hhmm(endsAt)}`;
}
