import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { migrator } from '../../db/migrate.ts';

/**
 * Migrations 20261208010000-city-settings and …010001-id-documents on a database whose city has
 * its own texts: the *_ja / *_en columns become per-locale jsonb keeping every value, and a
 * precautions text the city wrote itself is kept (only the old default is replaced). Down and up.
 */
let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'city_settings_migration');
});
afterAll(async () => t?.drop());

const one = async <T extends object>(sql: string) => (await t.db.sequelize.query<T>(sql, { type: QueryTypes.SELECT }))[0];

describe('migration 20261208010000-city-settings', () => {
	it('R-S18 R-C16 keeps the city’s name, contact and maintenance message per locale; a precautions text the city wrote stays; down restores the columns', async () => {
		const umzug = migrator(t.db.sequelize);
		await umzug.down({ to: '20261208010000-city-settings' });
		await t.db.sequelize.query(`UPDATE city_settings SET city_name_ja = '港市', city_name_en = 'Minato', contact_ja = '市民課 03-1234-5678', contact_en = '',
			maintenance_message_ja = '点検', maintenance_message_en = 'Check'`);
		// a city that rewrote the issuance precautions keeps its own text; the other purpose still has the old default
		await t.db.sequelize.query(`UPDATE purposes SET precautions_ja = '市の独自の注意事項（健康保険証）' WHERE code = 'card_issuance'`);

		await umzug.up();
		const city = await one<{ city_name: unknown; contact: unknown; maintenance_message: unknown; late: number; cutoff: number; offer: number; alert: number }>(
			`SELECT city_name, contact, maintenance_message, late_arrival_minutes AS late, change_cutoff_days AS cutoff, waitlist_offer_minutes AS offer, wait_alert_minutes AS alert FROM city_settings`
		);
		expect(city).toEqual({
			city_name: { ja: '港市', en: 'Minato' },
			contact: { ja: '市民課 03-1234-5678' }, // an empty translation is no translation
			maintenance_message: { ja: '点検', en: 'Check' },
			late: 15,
			cutoff: 0,
			offer: 60,
			alert: 30
		});
		const p = await one<{ ja: string; en: string }>(`SELECT precautions_ja AS ja, precautions_en AS en FROM purposes WHERE code = 'card_issuance'`);
		expect(p.ja).toBe('市の独自の注意事項（健康保険証）');
		expect(p.en).toContain('residence card');
		// a text without Japanese is refused by the database too
		await expect(t.db.sequelize.query(`UPDATE city_settings SET city_name = '{"en": "x"}'`)).rejects.toThrow(/city_settings_texts_ja/);

		await umzug.down({ to: '20261208010000-city-settings' });
		expect(await one(`SELECT city_name_ja, city_name_en, contact_ja, contact_en, maintenance_message_ja, maintenance_message_en FROM city_settings`)).toEqual({
			city_name_ja: '港市',
			city_name_en: 'Minato',
			contact_ja: '市民課 03-1234-5678',
			contact_en: '',
			maintenance_message_ja: '点検',
			maintenance_message_en: 'Check'
		});
		expect((await one<{ en: string }>(`SELECT precautions_en AS en FROM purposes WHERE code = 'card_issuance'`)).en).toContain('health insurance card');
		await umzug.up();
	});
});
