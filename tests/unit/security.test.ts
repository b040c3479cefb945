import { describe, expect, it } from 'vitest';
import { ConnectionRefusedError, UniqueConstraintError } from 'sequelize';
import { originAllowed } from '../../server/realtime/origin.ts';
import { isPrivateAddress } from '../../server/metrics.ts';
import { crossSiteRefusal, databaseUnavailable, isDatabaseUnavailable } from '../../src/lib/server/security/web.ts';

describe('security rules', () => {
	it('R-O04 the socket handshake accepts its own origin (or PUBLIC_ORIGIN) and no Origin, and refuses any other', () => {
		expect(originAllowed({ host: 'app.city.example', origin: 'https://app.city.example' })).toBe(true);
		expect(originAllowed({ host: 'app.city.example' })).toBe(true);
		expect(originAllowed({ host: 'app.city.example', origin: 'https://evil.city.example' })).toBe(false);
		expect(originAllowed({ host: 'app.city.example', origin: 'null' })).toBe(false);
		expect(originAllowed({ host: 'node-1:3000', origin: 'https://app.city.example' }, 'https://app.city.example')).toBe(true);
		expect(originAllowed({ host: 'node-1:3000', origin: 'http://node-1:3000' }, 'https://app.city.example')).toBe(false);
	});

	it('R-O04 cookie-authenticated writes from another origin or site are refused; reads and Bearer clients pass', () => {
		const url = new URL('http://127.0.0.1:3000/api/v1/staff/reservations');
		const req = (method: string, headers: Record<string, string>) => new Request(url, { method, headers });
		expect(crossSiteRefusal(req('POST', { origin: 'http://evil.127.0.0.1.nip.io' }), url, false)?.status).toBe(403);
		expect(crossSiteRefusal(req('DELETE', { 'sec-fetch-site': 'same-site' }), url, false)?.status).toBe(403);
		expect(crossSiteRefusal(req('POST', { origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-origin' }), url, false)).toBeNull();
		expect(crossSiteRefusal(req('GET', { origin: 'http://evil.example' }), url, false)).toBeNull();
		expect(crossSiteRefusal(req('POST', { origin: 'http://evil.example' }), url, true)).toBeNull();
		expect(crossSiteRefusal(req('POST', {}), url, false)).toBeNull();
	});

	it('R-O05 /metrics trusts loopback and private addresses only', () => {
		for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.9', 'fd12:3456::1']) expect(isPrivateAddress(a), a).toBe(true);
		for (const a of ['203.0.113.5', '172.32.0.1', '8.8.8.8', '2001:db8::1', undefined]) expect(isPrivateAddress(a), String(a)).toBe(false);
	});

	it('R-O05 a database that cannot be reached is told apart from a bug, and answered 503 with Retry-After and no detail', async () => {
		expect(isDatabaseUnavailable(new ConnectionRefusedError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })))).toBe(true);
		expect(isDatabaseUnavailable(Object.assign(new Error('x'), { parent: Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }) }))).toBe(true);
		expect(isDatabaseUnavailable(new TypeError("Cannot read properties of null (reading 'role')"))).toBe(false);
		expect(isDatabaseUnavailable(new UniqueConstraintError({}))).toBe(false);
		const r = databaseUnavailable(true, 'ja');
		expect(r.status).toBe(503);
		expect(r.headers.get('retry-after')).toBe('5');
		expect(r.headers.get('content-type')).toContain('application/problem+json');
		const body = await r.json();
		expect(body).toMatchObject({ status: 503, code: 'unavailable', retryAfter: 5 });
		expect(JSON.stringify(body)).not.toMatch(/ECONN|at .*\.ts|postgres/i);
		expect((await databaseUnavailable(false, 'ja').text())).toContain('しばらくしてから');
	});
});
