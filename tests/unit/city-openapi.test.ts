import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/lib/server/openapi.ts';

describe('OpenAPI of the city settings (R-S18)', () => {
	it('R-S18 documents GET|PUT /api/v1/staff/settings/city with every setting and the locale tags, and the location address endpoints', () => {
		const doc = openApiDocument() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; additionalProperties?: unknown } }> }; responses: Record<string, { content?: Record<string, { schema: { properties: Record<string, { properties?: Record<string, unknown> }> } }> }> }>> };
		const city = doc.paths['/api/v1/staff/settings/city'];
		expect(Object.keys(city).sort()).toEqual(['get', 'put']);
		const answer = city.get.responses['200'].content!['application/json'].schema.properties;
		for (const k of ['cityName', 'contact', 'reminderDays', 'linkMinutes', 'holdMinutes', 'maxPersonsPerBooking', 'changeCutoffDays', 'waitlistOfferMinutes', 'lateArrivalMinutes', 'waitAlertMinutes']) {
			expect(answer, k).toHaveProperty(k);
		}
		expect(Object.keys(answer.cityName.properties!)).toEqual(['ja', 'ja-x-easy', 'en', 'zh-Hans', 'vi', 'ko', 'fil', 'pt-BR', 'ne', 'id']);
		const body = city.put.requestBody!.content['application/json'].schema;
		expect(body.additionalProperties).toBe(false);
		expect(Object.keys(city.put.responses).sort()).toEqual(['200', '400', '401', '403']);
		expect(Object.keys(doc.paths['/api/v1/staff/settings/locations/{id}/address']).sort()).toEqual(['get', 'put']);
	});
});
