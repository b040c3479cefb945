/** Card status (R-S08) with the words staff use. */
export const CARD_STATUSES = [
	'notice_sent',
	'reserved',
	'checked_in',
	'issued',
	'needs_redo',
	'no_show',
	'returned',
	'cancelled'
] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

export const CARD_STATUS_LABELS: Record<CardStatus, { ja: string; en: string }> = {
	notice_sent: { ja: '通知書発送済', en: 'Notice sent' },
	reserved: { ja: '予約済', en: 'Reserved' },
	checked_in: { ja: '来庁', en: 'Checked in' },
	issued: { ja: '交付済', en: 'Issued' },
	needs_redo: { ja: '不備・再手続', en: 'Needs re-procedure' },
	no_show: { ja: '未来庁', en: 'No-show' },
	returned: { ja: '返戻', en: 'Returned mail' },
	cancelled: { ja: '取消', en: 'Cancelled' }
};

export function isCardStatus(v: unknown): v is CardStatus {
	return typeof v === 'string' && (CARD_STATUSES as readonly string[]).includes(v);
}

/**
 * Which status a card may move to from each status (R-S08). The counter flow is
 * notice_sent → reserved → checked_in → issued; staff may also record the side paths.
 */
export const CARD_TRANSITIONS: Record<CardStatus, readonly CardStatus[]> = {
	notice_sent: ['reserved', 'checked_in', 'returned', 'cancelled'],
	reserved: ['notice_sent', 'checked_in', 'no_show', 'cancelled'],
	checked_in: ['issued', 'needs_redo', 'reserved'],
	issued: [],
	needs_redo: ['notice_sent', 'reserved', 'checked_in', 'cancelled'],
	no_show: ['notice_sent', 'reserved', 'cancelled'],
	returned: ['notice_sent', 'cancelled'],
	cancelled: []
};

export function canTransition(from: CardStatus, to: CardStatus): boolean {
	return CARD_TRANSITIONS[from].includes(to);
}
