/**
 * Readable names of 操作ログ actions (R-O03). The raw code stays the truth (it is what the
 * filters and the CSV carry); the name is what staff read. Codes added by other areas that are not
 * listed yet still get a name from their prefix, e.g. 「カード（card.foo）」.
 */
export const ACTION_LABELS: Record<string, string> = {
	login: 'ログイン',
	'login.failed': 'ログイン失敗',
	'login.locked': 'ロック中のログイン',
	'login.locked_out': 'ログイン失敗によるロック',
	'login.account_wait': 'ログイン待機中の試行',
	'auth.account_attack': '不正ログインの疑い（複数の端末からの失敗）',
	logout: 'ログアウト',
	'reservation.created': '予約作成',
	'reservation.moved': '予約変更',
	'reservation.cancelled': '予約取消',
	'reservation.person_added': '同行者の追加',
	'citizen.session_opened': '市民の手続き開始（メールのリンク）',
	'maintenance.changed': 'メンテナンス設定',
	'emergency.sent': '緊急のお知らせ送信',
	'emergency.banner_ended': '緊急のお知らせ表示終了',
	'emergency.contact_saved': '緊急連絡先の登録',
	'emergency.contact_removed': '緊急連絡先の削除',
	'reservation.checked_in': '来庁受付',
	'card.issued': 'カード交付',
	'card.status_changed': 'カード状態変更',
	'slot.capacity_changed': '定員変更',
	'slot.capacity_overridden': '定員変更（超過を許可）',
	'slot.capacity_range_changed': '時間帯の定員変更',
	'slot.capacity_range_overridden': '時間帯の定員変更（超過を許可）',
	'settings.city_changed': '市の設定変更',
	'settings.location_created': '交付場所の追加',
	'settings.location_changed': '交付場所の変更',
	'settings.location_place_changed': '交付場所の住所・交通案内の変更',
	'settings.schedule_changed': '開庁時間・枠の設定変更',
	'settings.purpose_created': '用件の追加',
	'settings.purpose_changed': '用件の変更',
	'board_token.issued': '壁掛け表示トークン発行',
	'board_token.revoked': '壁掛け表示トークン取消',
	'user.created': '利用者の追加',
	'user.disabled': '利用者の無効化',
	'user.enabled': '利用者の有効化',
	'user.password_reset': 'パスワード再設定',
	'user.role_changed': '権限の変更',
	'user.locations_changed': '担当交付場所の変更',
	'user.renamed': '利用者名の変更',
	'cards.searched': 'カードの検索（閲覧）',
	'reservations.searched': '予約の検索（閲覧）',
	'audit.viewed': '操作ログの閲覧',
	'audit.exported': '操作ログの出力',
	'audit.verified': '操作ログの改ざん検査',
	'retention.rules_changed': 'データ保存期間の変更',
	'retention.purged': '保存期間を過ぎたデータの削除',
	'retention.purged_batch': '保存期間を過ぎたデータの削除（一括の一回分）',
	'card.viewed': 'カードの閲覧',
	'reservation.viewed': '予約の閲覧',
	'card.storage_changed': '保管場所・保管位置の変更',
	'card.transfer_sent': 'カードの回送（回送済）',
	'card.transfer_unsent': '回送済の取消',
	'list.viewed': '帳票の画面表示',
	'reservations.exported': '予約検索結果の出力',
	'user.password_changed': 'パスワード変更（本人）',
	'user.password_change_failed': 'パスワード変更の失敗（現在のパスワード誤り）'
};

const PREFIX_LABELS: Record<string, string> = {
	login: 'ログイン',
	reservation: '予約',
	card: 'カード',
	cards: 'カード',
	slot: '枠',
	settings: '設定',
	board_token: '壁掛け表示',
	user: '利用者',
	audit: '操作ログ',
	import: '取込',
	list: '帳票',
	lists: '帳票',
	mail: 'メール',
	hold: '仮押さえ'
};

/** A Japanese name for an action code; unknown codes fall back to their area, or to the code itself. */
export function actionLabel(code: string): string {
	if (ACTION_LABELS[code]) return ACTION_LABELS[code];
	const prefix = code.split('.')[0];
	return PREFIX_LABELS[prefix] ? `${PREFIX_LABELS[prefix]}（その他）` : code;
}

export const ACTOR_TYPE_LABELS: Record<string, string> = {
	staff: '職員',
	citizen: '市民',
	system: 'システム',
	anonymous: '不明な利用者'
};

/** Who did it, as the viewer and the CSV show it: a staff login, or the kind of actor. */
export function actorLabel(actorType: string, actorId: string | null): string {
	if (actorType === 'staff' && actorId) return actorId;
	const kind = ACTOR_TYPE_LABELS[actorType] ?? actorType;
	return actorId ? `${kind}（${actorId}）` : kind;
}
