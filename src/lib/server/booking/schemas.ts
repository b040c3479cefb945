import { z } from 'zod';
import { normalisePhone, PHONE_MESSAGE } from '../../domain/phone.ts';
import { dateString, emailAddress, reasonText, slotIdField } from '../schemas.ts';

/** The staff booking contract (R-S04, R-S17, R-S05 override). */

/** R-C03: a person is a card: notice ID + birth date. */
export const personInput = z.strictObject({
	noticeId: z.string().trim().regex(/^[0-9A-Za-z-]{1,20}$/, '交付通知書番号を入力してください'),
	birthDate: dateString
});
const persons = z.array(personInput).min(1, '1人以上入力してください').max(5, '5人までです');

export const staffReservationBody = z.strictObject({
	slotId: slotIdField,
	purposeId: z.number().int().positive().optional(),
	persons,
	email: emailAddress.optional(),
	/** R-S04: the caller's phone number, staff-only */
	phone: z
		.string()
		.max(30)
		.transform((v, c) => {
			const p = normalisePhone(v);
			if (p === null) c.addIssue({ code: 'custom', message: PHONE_MESSAGE });
			return p ?? '';
		})
		.optional(),
	override: z.strictObject({ reason: reasonText }).optional()
});

export const moveReservationBody = z.strictObject({
	slotId: slotIdField,
	override: z.strictObject({ reason: reasonText }).optional()
});

export const cancelReservationBody = z.strictObject({ reason: z.string().trim().max(500).optional() });
