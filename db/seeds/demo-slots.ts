import holidayJp from '@holiday-jp/holiday_jp';

// Placeholder until the scheduling rules (src/lib/domain/schedule) drive generation.
const TOKYO_MS = 9 * 3600_000;

function tokyoDate(ms: number): string {
	return new Date(ms + TOKYO_MS).toISOString().slice(0, 10);
}

export function generateDemoSlots(now: Date, days: number, capacity: number) {
	const out: { date: string; startsAt: Date; endsAt: Date; capacity: number }[] = [];
	const today = tokyoDate(now.getTime());
	const base = Date.parse(`${today}T00:00:00+09:00`);
	for (let d = 0; d < days; d++) {
		const dayMs = base + d * 86_400_000;
		const date = tokyoDate(dayMs);
		const wd = new Date(dayMs + TOKYO_MS).getUTCDay();
		const md = date.slice(5);
		if (wd === 0 || wd === 6 || holidayJp.isHoliday(new Date(`${date}T12:00:00+09:00`))) continue;
		if (md >= '12-29' || md <= '01-03') continue;
		for (let m = 9 * 60; m < 17 * 60; m += 30) {
			if (m >= 12 * 60 && m < 13 * 60) continue;
			out.push({ date, startsAt: new Date(dayMs + m * 60_000), endsAt: new Date(dayMs + (m + 30) * 60_000), capacity });
		}
	}
	return out;
}
