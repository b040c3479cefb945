/** OpenAPI entries of the city settings and a location's address and access (R-S18); spread into OPS in ../openapi.ts. */
import { z } from 'zod';
import type { Op } from '../openapi.ts';
import { locationIdParam } from '../schemas.ts';
import { LOCALES } from '../../domain/locale-text.ts';
import { cityPatchSchema, NUMBER_BOUNDS, TEXT_MAX } from './settings.ts';
import { locationPlaceBody } from './location-place.ts';

const text = (max: number, what: string) =>
	z
		.object(Object.fromEntries(LOCALES.map((l) => [l, l === 'ja' ? z.string().max(max) : z.string().max(max).optional()])))
		.describe(`${what}, per locale tag (${LOCALES.join(', ')}); ja always present. A missing translation falls back: ja-x-easy → ja, others → en → ja.`);
const int = (k: keyof typeof NUMBER_BOUNDS, what: string) => z.number().int().min(NUMBER_BOUNDS[k].min).max(NUMBER_BOUNDS[k].max).describe(what);

const citySettings = z.object({
	cityName: text(TEXT_MAX.cityName, 'The city’s name (mail subjects 【…】, citizen header)'),
	contact: text(TEXT_MAX.contact, 'Contact shown in mails and on citizen pages'),
	reminderDays: int('reminderDays', 'Reminder mail this many days before the visit; 0 = none (R-C11)'),
	linkMinutes: int('linkMinutes', 'How long an emailed sign-in link is valid, minutes (R-C02)'),
	holdMinutes: int('holdMinutes', 'How long a chosen time is held while confirming, minutes (R-C15)'),
	maxPersonsPerBooking: int('maxPersonsPerBooking', 'Persons in one booking (R-C07)'),
	changeCutoffDays: int('changeCutoffDays', 'Citizens cannot move, cancel or add within this many days before the visit; 0 = no cut-off'),
	waitlistOfferMinutes: int('waitlistOfferMinutes', 'How long a waiting-list offer is held, minutes'),
	lateArrivalMinutes: int('lateArrivalMinutes', 'A booked visitor later than this waits as a walk-in, minutes'),
	waitAlertMinutes: int('waitAlertMinutes', 'Staff are alerted when the wait exceeds this, minutes'),
	privacyNotice: text(TEXT_MAX.privacyNotice, 'The privacy notice (/privacy), plain text: blank lines separate paragraphs'),
	help: text(TEXT_MAX.help, 'The help / FAQ page (/help), plain text: blank lines separate paragraphs')
});

const place = z.object({
	locationId: z.number().int(),
	address: z.object({ ja: z.string(), en: z.string() }),
	access: z.object({ ja: z.string(), en: z.string() }).describe('how to get there')
});

export const CITY_OPS: Op[] = [
	{ method: 'get', path: '/api/v1/staff/settings/city', summary: 'The city-wide settings (R-S18)', tag: 'settings', auth: 'admin', ok: { status: 200, schema: citySettings }, errors: [401, 403] },
	{
		method: 'put',
		path: '/api/v1/staff/settings/city',
		summary: 'Change any subset of the city-wide settings; answers the whole new settings. Audited (old → new), applied at once on every node (R-S18)',
		tag: 'settings',
		auth: 'admin',
		body: cityPatchSchema,
		ok: { status: 200, schema: citySettings },
		errors: [400, 401, 403]
	},
	{
		method: 'get',
		path: '/api/v1/staff/settings/locations/{id}/address',
		summary: 'A location’s address and access directions, ja and en (R-S18, R-C16)',
		tag: 'settings',
		auth: 'admin',
		params: { id: locationIdParam },
		ok: { status: 200, schema: place },
		errors: [400, 401, 403, 404]
	},
	{
		method: 'put',
		path: '/api/v1/staff/settings/locations/{id}/address',
		summary: 'Change a location’s address and access (any subset); audited (R-S18)',
		tag: 'settings',
		auth: 'admin',
		params: { id: locationIdParam },
		body: locationPlaceBody,
		ok: { status: 200, schema: place },
		errors: [400, 401, 403, 404]
	}
];
