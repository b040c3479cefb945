import { z } from 'zod';
import { isValidDate, MONTH_RE } from '../domain/dates.ts';
import { isDeliverableAddress } from '../domain/mail-format.ts';
import { normalisePhone, PHONE_MESSAGE } from '../domain/phone.ts';

/** zod schemas of the public contract (DESIGN.md). Request bodies are strict: unknown fields are 400s. */
export const dateString = z.string().refine(isValidDate, 'must be a date YYYY-MM-DD');
export const monthString = z.string().regex(MONTH_RE, 'must be a month YYYY-MM');
export const idParam = z.string().regex(/^[1-9]\d{0,17}$/, 'must be a positive integer id');
export const locationIdParam = z.coerce.number().int().positive().max(2_147_483_647);

export const loginBody = z.strictObject({
	userId: z.string().min(1).max(64),
	password: z.string().min(1).max(200)
});

export const capacityBody = z.strictObject({
	capacity: z.number().int().min(0).max(1000),
	reason: z.string().trim().min(1, '理由を入力してください').max(500)
});

export const staffSlotsQuery = z.strictObject({ locationId: locationIdParam, date: dateString });

export const availabilityQuery = z.strictObject({ month: monthString.optional(), from: dateString.optional(), to: dateString.optional() });

export const boardTokenBody = z.strictObject({
	locationId: z.number().int().positive(),
	label: z.string().trim().min(1, '設置場所の名前を入力してください').max(100)
});

// ---- booking and slots (issue 4) ----

const reasonText = z.string().trim().min(1, '理由を入力してください').max(500);
/** Slot ids are bigints: strings in JSON, though a client sending a number is understood too. */
export const slotIdField = z.union([idParam, z.number().int().positive().max(Number.MAX_SAFE_INTEGER).transform(String)]);
export const timeString = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM');
export const uuidParam = z.uuid('must be a UUID');

/** R-C03: a person is a card: notice ID + birth date. */
export const personInput = z.strictObject({
	noticeId: z.string().trim().regex(/^[0-9A-Za-z-]{1,20}$/, '交付通知書番号を入力してください'),
	birthDate: dateString
});
const persons = z.array(personInput).min(1, '1人以上入力してください').max(5, '5人までです');
/**
 * The one email address rule of every boundary (R-O04): staff booking form and API, citizen sign-in
 * links, emergency contacts, reservation imports (through isDeliverableAddress, its core) and the
 * mail sender. A plain addr-spec only: `victim,evil@example.jp`, display names, quoted parts, spaces
 * and line breaks — anything SMTP could read as more than one address — are refused.
 */
export const emailAddress = z
	.string({ error: 'メールアドレスを入力してください' })
	.trim()
	.min(1, 'メールアドレスを入力してください')
	.max(254, 'メールアドレスが長すぎます')
	.refine(isDeliverableAddress, 'メールアドレスの形式が正しくありません');
const email = emailAddress;

export const capacityPatchBody = capacityBody.extend({
	/** R-S05: allow a capacity below booked + held, listing the bookings above it */
	override: z.boolean().optional()
});

export const capacityRangeBody = z.strictObject({
	locationId: z.number().int().positive(),
	date: dateString,
	start: timeString,
	end: timeString,
	capacity: z.number().int().min(0).max(1000),
	reason: reasonText,
	override: z.boolean().optional()
});

export const staffReservationBody = z.strictObject({
	slotId: slotIdField,
	purposeId: z.number().int().positive().optional(),
	persons,
	email: email.optional(),
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

// ---- the citizen contract (R-C02 … R-C15) ----

export const langField = z.enum(['ja', 'en']);

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

// ---- scheduling settings (admins) ----

const hoursPattern = z.strictObject({
	id: z.string().trim().min(1).max(32),
	nameJa: z.string().max(50),
	nameEn: z.string().max(50),
	open: z.string().max(5),
	close: z.string().max(5),
	lunch: z.strictObject({ start: z.string().max(5), end: z.string().max(5) }).nullable(),
	slotMinutes: z.number().int(),
	capacity: z.number().int()
});
const dateException = z.union([
	z.strictObject({ date: z.string().max(10), kind: z.literal('closed'), note: z.string().max(200).optional() }),
	z.strictObject({ date: z.string().max(10), kind: z.literal('open'), patternId: z.string().max(32), note: z.string().max(200).optional() })
]);
const rangeException = z.strictObject({ date: z.string().max(10), start: z.string().max(5), end: z.string().max(5), capacity: z.number().int() });
const bookingWindow = z.strictObject({
	citizenMinDaysAhead: z.number().int(),
	staffMinDaysAhead: z.number().int(),
	staffSameDayCutoff: z.string().max(5),
	maxMode: z.enum(['days', 'date']),
	maxDaysAhead: z.number().int(),
	maxDate: z.string().max(10).nullable()
});

/** Shapes only: the domain validators decide what is valid and say why in Japanese. */
export const schedulePatchBody = z.strictObject({
	patterns: z.array(hoursPattern).max(20).optional(),
	weekly: z.array(z.string().max(32).nullable()).length(7).optional(),
	dateExceptions: z.array(dateException).max(500).optional(),
	rangeExceptions: z.array(rangeException).max(500).optional(),
	window: bookingWindow.optional(),
	purposeIds: z.array(z.number().int().positive()).max(50).nullable().optional()
});
