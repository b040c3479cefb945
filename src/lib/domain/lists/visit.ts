/**
 * R-S10: what the lists print about a visit and about each of its persons. A person's own state is
 * their card's status (a household may leave with one card handed over and one 不備); the visit's
 * label is read from its persons, so a visit with one 不備 person never reads 交付完了. No I/O.
 */
import { CARD_STATUS_LABELS, isCardStatus, type CardStatus } from '../card-status.ts';


export function personStatusJa(status: string): string {
	return isCardStatus(status) ? CARD_STATUS_LABELS[status].ja : status;
}

/** Cards still in their boxes for a visit to come: the pull list's rows. */
export const TO_FETCH: readonly CardStatus[] = ['reserved'];

/**
 * The visit's label from its status and its persons' statuses:
 * - 取消 / 未来庁 for a cancelled or missed visit;
 * - 予約中 before anyone has come; 来庁中 once some have (来庁中・一部交付済 / 来庁中・一部不備 as results come in);
 * - when finished: 交付完了 (all handed over), 不備 (none), 一部不備 (some of each).
 */
export function visitLabelJa(status: string, persons: readonly string[]): string {
	if (status === 'cancelled') return '取消';
	if (status === 'no_show') return '未来庁';
	const issued = persons.filter((s) => s === 'issued').length;
	const redo = persons.filter((s) => s === 'needs_redo').length;
	const arrived = persons.filter((s) => s === 'checked_in').length;
	const done = issued + redo;
	if (status === 'completed' || (persons.length > 0 && done === persons.length)) {
		if (redo === 0) return '交付完了';
		if (issued === 0) return '不備';
		return '一部不備';
	}
	if (done === 0 && arrived === 0) return '予約中';
	if (redo > 0) return '来庁中・一部不備';
	if (issued > 0) return '来庁中・一部交付済';
	return '来庁中';
}
