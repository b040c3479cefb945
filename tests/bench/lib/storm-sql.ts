/**
 * Baseline of the storm benchmark: what the database alone costs for the booking. The core of the
 * app's two booking transactions sent straight through `pg` (one pool as large as the two nodes'
 * pools together), on tables of their own with the same shape of contention (`perTime` bookings
 * on each time, `free` places each):
 *   hold:    BEGIN; conditional UPDATE of the slot (held + 1 if a place is free); INSERT the hold; COMMIT
 *   confirm: BEGIN; SELECT the hold FOR UPDATE; UPDATE the slot (held − 1, booked + 1);
 *            INSERT the reservation; UPDATE the hold; COMMIT
 * It leaves out what the app adds around them (verification reads, card locks, audit and outbox
 * rows, the ORM), which is the point: the gap between the two is the app's own cost.
 */
import pg from 'pg';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';

export interface Slot {
	id: string;
	locationId: number;
	date: string;
	startsAt: string;
}

export async function pgBooking(url: string, count: number, concurrency: number, perTime: number, free: number, tag: string) {
	const pool = new pg.Pool({ connectionString: url, max: 20 });
	const t = (name: string) => `bench_${name}_${tag}`;
	try {
		const slots = Math.ceil(count / perTime);
		await pool.query(`CREATE TABLE ${t('slots')} (id int PRIMARY KEY, capacity int NOT NULL, booked int NOT NULL DEFAULT 0, held int NOT NULL DEFAULT 0, version bigint NOT NULL DEFAULT 1)`);
		await pool.query(`CREATE TABLE ${t('holds')} (id uuid PRIMARY KEY, slot_id int NOT NULL, card int NOT NULL, released_at timestamptz)`);
		await pool.query(`CREATE TABLE ${t('res')} (id bigserial PRIMARY KEY, number text NOT NULL UNIQUE, slot_id int NOT NULL, card int NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
		await pool.query(`INSERT INTO ${t('slots')} (id, capacity) SELECT g, $1 FROM generate_series(1, $2) g`, [free, slots]);
		const latencies: number[] = [];
		let ok = 0;
		let next = 0;
		const tx = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
			const c = await pool.connect();
			try {
				await c.query('BEGIN');
				const r = await fn(c);
				await c.query('COMMIT');
				return r;
			} catch (e) {
				await c.query('ROLLBACK').catch(() => {});
				throw e;
			} finally {
				c.release();
			}
		};
		const t0 = performance.now();
		await Promise.all(
			Array.from({ length: concurrency }, async () => {
				for (let i = next++; i < count; i = next++) {
					const s = performance.now();
					const slot = Math.floor(i / perTime) + 1;
					const hold = await tx(async (c) => {
						const u = await c.query(`UPDATE ${t('slots')} SET held = held + 1, version = version + 1 WHERE id = $1 AND booked + held + 1 <= capacity RETURNING id`, [slot]);
						if (u.rowCount !== 1) return null;
						const id = randomUUID();
						await c.query(`INSERT INTO ${t('holds')} (id, slot_id, card) VALUES ($1, $2, $3)`, [id, slot, i]);
						return id;
					});
					if (hold) {
						await tx(async (c) => {
							await c.query(`SELECT id FROM ${t('holds')} WHERE id = $1 AND released_at IS NULL FOR UPDATE`, [hold]);
							await c.query(`UPDATE ${t('slots')} SET held = held - 1, booked = booked + 1, version = version + 1 WHERE id = $1`, [slot]);
							await c.query(`INSERT INTO ${t('res')} (number, slot_id, card) VALUES ($1, $2, $3)`, [randomUUID(), slot, i]);
							await c.query(`UPDATE ${t('holds')} SET released_at = now() WHERE id = $1`, [hold]);
						});
						ok++;
						latencies.push(performance.now() - s);
					}
				}
			})
		);
		const seconds = (performance.now() - t0) / 1000;
		return { ok, seconds, perSecond: ok / seconds, latencies };
	} finally {
		for (const n of ['slots', 'holds', 'res']) await pool.query(`DROP TABLE IF EXISTS ${t(n)}`).catch(() => {});
		await pool.end();
	}
}
