import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canUndoIssue, checkInDayProblem, classifySearch, kanaKey, toHalfWidth, UNDO_ISSUE_MINUTES } from '../../src/lib/domain/counter.ts';

describe('counter rules', () => {
	it('R-S15 a QR code is recognised whatever case, spaces or width the reader typed it in', () => {
		const code = 'MN0123456789ABCDEF0123456789ABCDEF';
		expect(classifySearch(code)).toEqual({ kind: 'checkinCode', code });
		expect(classifySearch(` ${code.toLowerCase()} `)).toEqual({ kind: 'checkinCode', code });
		const wide = code.replace(/[0-9A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
		expect(toHalfWidth(wide)).toBe(code);
		expect(classifySearch(wide)).toEqual({ kind: 'checkinCode', code });
	});

	it('R-S09 booking numbers, notice IDs and kana are told apart', () => {
		expect(classifySearch('1234-5678')).toEqual({ kind: 'number', bookingNumber: '1234-5678', noticeId: '12345678' });
		expect(classifySearch('12345678')).toEqual({ kind: 'number', bookingNumber: '1234-5678', noticeId: '12345678' });
		expect(classifySearch('１２３４５６７８９０１２')).toEqual({ kind: 'noticeId', noticeId: '123456789012' });
		expect(classifySearch('A12-345')).toEqual({ kind: 'noticeId', noticeId: 'A12345' });
		expect(classifySearch('やまだ　はなこ')).toEqual({ kind: 'kana', kana: 'ヤマダハナコ' });
		expect(classifySearch('   ')).toEqual({ kind: 'empty' });
		expect(kanaKey('ヤマダ ハナコ')).toBe(kanaKey('やまだはなこ'));
	});

	it('R-S15 check-in only on the visit day; before it is "future", after it "past"', () => {
		expect(checkInDayProblem('2026-11-25', '2026-11-25')).toBeNull();
		expect(checkInDayProblem('2026-11-27', '2026-11-25')).toBe('future');
		expect(checkInDayProblem('2026-11-24', '2026-11-25')).toBe('past');
	});

	it('R-S08 交付済 may be undone from the moment it was recorded up to the limit, never before nor after', () => {
		const at = new Date('2026-11-25T01:00:00Z');
		fc.assert(
			fc.property(fc.integer({ min: -3600, max: 3600 }), (seconds) => {
				const now = new Date(at.getTime() + seconds * 1000);
				expect(canUndoIssue(at, now)).toBe(seconds >= 0 && seconds <= UNDO_ISSUE_MINUTES * 60);
			})
		);
	});
});

describe('staff notes stay with staff (R-S14)', () => {
	it('R-S14 only the staff notes module and the staff booking view read person_notes: no citizen page, API, mail or socket code does', async () => {
		const { readdirSync, readFileSync, statSync } = await import('node:fs');
		const { join } = await import('node:path');
		const files: string[] = [];
		const walk = (dir: string) => {
			for (const name of readdirSync(dir)) {
				const p = join(dir, name);
				if (statSync(p).isDirectory()) walk(p);
				else if (/\.(ts|svelte|hbs|html)$/.test(name)) files.push(p);
			}
		};
		for (const root of ['src', 'server', 'db/seeds']) walk(root);
		const readers = files.filter((f) => readFileSync(f, 'utf8').includes('person_notes')).sort();
		// the retention purge (R-O09) only deletes the notes of erased cards
		expect(readers).toEqual(['src/lib/server/notes/notes.ts', 'src/lib/server/ops/retention-rules.ts', 'src/lib/server/reservations/detail.ts']);
		// the purge deletes notes and picks the ids of old ones; it never reads a note's text
		const uses = readFileSync('src/lib/server/ops/retention-rules.ts', 'utf8').match(/[\w.]+ \w+ person_notes/g) ?? [];
		expect(uses.length).toBeGreaterThan(0);
		expect(uses.every((u) => u === 'DELETE FROM person_notes' || u === 'n.id FROM person_notes')).toBe(true);
		// and what reads it is called only from staff routes and the check-in use case
		const callers = files.filter((f) => /\bpersonNotes\b|\bsetPersonNote\b|\bcounterReservation\b|\breadCounterReservation\b/.test(readFileSync(f, 'utf8')));
		for (const f of callers) expect(f).toMatch(/^src\/(lib\/server\/(notes|reservations|checkin)\/|routes\/(api\/v1\/staff|staff)\/)/);
	});
});
