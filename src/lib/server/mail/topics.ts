/**
 * The outbox topics that become mails, and their names for staff. Kept apart from the templates
 * so pages can list topics without loading Handlebars.
 */
export const MAIL_TOPICS = [
	'citizen.link',
	'reservation.created',
	'reservation.resend',
	'reservation.moved',
	'reservation.person_added',
	'reservation.cancelled',
	'reservation.reminder',
	'reservation.no_show'
] as const;
export type MailTopic = (typeof MAIL_TOPICS)[number];

/** Every topic the outbox deliverer sends: the templated ones and the emergency notice (R-O07, plain text). */
export const DELIVERED_TOPICS = [...MAIL_TOPICS, 'emergency.notice', 'bulk.message'] as const;

export const isMailTopic = (t: string): t is MailTopic => (MAIL_TOPICS as readonly string[]).includes(t);

/** Staff-facing names of the topics (the mail status page). */
export const TOPIC_LABELS_JA: Record<MailTopic, string> = {
	'citizen.link': 'ログイン用URL',
	'reservation.created': '予約完了',
	'reservation.resend': '予約内容の再送',
	'reservation.moved': '予約変更',
	'reservation.person_added': '同行者の追加',
	'reservation.cancelled': '予約取消',
	'reservation.reminder': '来庁日のお知らせ',
	'reservation.no_show': '未来庁のご案内'
};
