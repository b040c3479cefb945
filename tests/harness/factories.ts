import argon2 from 'argon2';
import type { Db } from '../../db/index.ts';
import type { Role } from '../../src/lib/domain/roles.ts';

let seq = 0;
const next = () => `${process.pid}${++seq}`;

export async function makeLocation(db: Db, over: Partial<{ code: string; nameJa: string; citizenBookable: boolean }> = {}) {
	const n = next();
	return db.models.Location.create({ code: over.code ?? `loc${n}`, nameJa: over.nameJa ?? `テスト支所${n}`, nameEn: `Test ${n}`, citizenBookable: over.citizenBookable ?? true });
}

/** A slot at `date` `hh:mm` Tokyo time, 30 minutes long. */
export async function makeSlot(db: Db, locationId: number, date: string, hhmm: string, capacity: number, over: Partial<{ booked: number; held: number }> = {}) {
	const startsAt = new Date(`${date}T${hhmm}:00+09:00`);
	return db.models.Slot.create({
		locationId,
		date,
		startsAt,
		endsAt: new Date(startsAt.getTime() + 30 * 60_000),
		capacity,
		booked: over.booked ?? 0,
		held: over.held ?? 0
	});
}

// Hashing is deliberately slow; tests reuse one hash per password.
const hashes = new Map<string, Promise<string>>();
export async function makeStaff(db: Db, role: Role, password = 'correct horse battery', login = `${role}${next()}`) {
	if (!hashes.has(password)) hashes.set(password, argon2.hash(password, { type: argon2.argon2id }));
	return db.models.StaffUser.create({ login, displayName: `${role} テスト`, role, passwordHash: (await hashes.get(password))! });
}
