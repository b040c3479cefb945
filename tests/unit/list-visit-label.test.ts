import { describe, expect, it } from 'vitest';
import { personStatusJa, visitLabelJa } from '../../src/lib/domain/lists/index.ts';

describe('R-S10 the lists: a visit labelled from its persons', () => {
	it('R-S10 a finished visit reads 交付完了 only when every person was handed a card', () => {
		expect(visitLabelJa('completed', ['issued', 'issued'])).toBe('交付完了');
		expect(visitLabelJa('completed', ['issued', 'needs_redo'])).toBe('一部不備');
		expect(visitLabelJa('completed', ['needs_redo'])).toBe('不備');
	});
	it('R-S10 a visit under way says how far it got; one to come reads 予約中', () => {
		expect(visitLabelJa('active', ['reserved', 'reserved'])).toBe('予約中');
		expect(visitLabelJa('active', ['checked_in'])).toBe('来庁中');
		expect(visitLabelJa('active', ['issued', 'checked_in'])).toBe('来庁中・一部交付済');
		expect(visitLabelJa('active', ['needs_redo', 'checked_in'])).toBe('来庁中・一部不備');
		// every person has a result although the visit row was not closed (e.g. a status set by hand)
		expect(visitLabelJa('active', ['issued', 'needs_redo'])).toBe('一部不備');
	});
	it('R-S10 a cancelled or missed visit reads so whatever its persons; persons read their card status', () => {
		expect(visitLabelJa('no_show', ['no_show'])).toBe('未来庁');
		expect(visitLabelJa('cancelled', ['notice_sent'])).toBe('取消');
		expect(personStatusJa('needs_redo')).toBe('不備・再手続');
		expect(personStatusJa('issued')).toBe('交付済');
		expect(personStatusJa('reserved')).toBe('予約済');
	});
});
