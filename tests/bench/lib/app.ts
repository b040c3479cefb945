/**
 * The app's public HTTP contract, as the fan-out benchmark uses it (DESIGN "Public contract").
 */
export interface Target {
	locationId: number;
	month: string;
	date: string;
	slotId: string;
	capacity: number;
}

async function call<T>(url: string, init: RequestInit & { token?: string } = {}): Promise<T> {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	if (init.token) headers.authorization = `Bearer ${init.token}`;
	const r = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(15_000) });
	const text = await r.text();
	if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${r.status}: ${text.slice(0, 500)}`);
	return JSON.parse(text) as T;
}

export async function login(base: string, userId: string, password: string): Promise<string> {
	const r = await call<{ token: string }>(`${base}/api/v1/staff/session`, { method: 'POST', body: JSON.stringify({ userId, password }) });
	return r.token;
}

/**
 * Location 1 (or the first bookable one), the furthest future day that is open ('many'), its month,
 * and one slot of that day with nothing booked or held, so its capacity can go down to 0.
 */
export async function pickTarget(base: string, token: string): Promise<Target> {
	const { locations: list } = await call<{ locations: { id: number }[] }>(`${base}/api/v1/locations`);
	const locationId = list.some((l) => l.id === 1) ? 1 : list[0]?.id;
	if (locationId === undefined) throw new Error('no citizen-bookable location');
	const avail = await call<{ days: { date: string; level: string }[] }>(`${base}/api/v1/locations/${locationId}/availability`);
	const open = avail.days.filter((d) => d.level === 'many');
	if (!open.length) throw new Error(`location ${locationId} has no open day in ${JSON.stringify(avail.days.map((d) => d.level))}`);
	const date = open[open.length - 1].date;
	const staff = await call<{ slots: { id: string; capacity: number; booked: number; held: number }[] }>(
		`${base}/api/v1/staff/slots?locationId=${locationId}&date=${date}`,
		{ token }
	);
	const slot = staff.slots.filter((s) => s.booked + s.held === 0 && s.capacity > 0).pop();
	if (!slot) throw new Error(`no free slot on ${date} at location ${locationId}`);
	return { locationId, month: date.slice(0, 7), date, slotId: String(slot.id), capacity: slot.capacity };
}

export async function setCapacity(base: string, token: string, slotId: string, capacity: number): Promise<void> {
	await call(`${base}/api/v1/staff/slots/${slotId}`, { method: 'PATCH', token, body: JSON.stringify({ capacity, reason: 'ベンチマーク (fan-out)' }) });
}
