import { z } from 'zod';
import { emailAddress, langField, slotIdField } from '../schemas.ts';

/** The citizen contract (R-C02 … R-C15). */

export const citizenLinkBody = z.strictObject({
	email: emailAddress,
	lang: langField.optional()
});

export const citizenSessionBody = z.strictObject({ token: z.string().min(1).max(200) });

/** R-C03: what a citizen types per person; shapes are checked loosely here and normalised by the domain. */
export const citizenPerson = z.strictObject({
	noticeId: z.string().min(1, '交付通知書番号を入力してください').max(40, '交付通知書番号が長すぎます'),
	birthMonthDay: z.string().min(1, '生年月日（月日）を入力してください').max(12, '生年月日（月日）の形式が正しくありません')
});

export const holdBody = z.strictObject({
	slotId: slotIdField,
	purposeId: z.number().int().positive(),
	persons: z.array(citizenPerson).min(1, '1人以上入力してください').max(5, '5人までです')
});

export const confirmHoldBody = z.strictObject({
	acknowledgedPrecautions: z.literal(true, { error: '注意事項を確認してください' })
});

export const manageTokenParam = z.string().min(10).max(100).regex(/^[\w.-]+$/, 'not a manage token');
export const manageMoveBody = z.strictObject({ slotId: slotIdField });
export const managePersonBody = citizenPerson;
