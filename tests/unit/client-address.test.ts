import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { inNetworks, isStaffNetworkPath, resolveClientAddress, staffNetworkAllows } from '../../src/lib/server/security/address.ts';
import { parseConfig, ConfigError } from '../../src/lib/server/config.ts';
import { metricsAllowed } from '../../server/metrics.ts';

const xff = { ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: 1 };

describe('client address behind a proxy (R-C14, R-O04)', () => {
	it('R-C14 R-O04 without ADDRESS_HEADER the socket peer is the address (IPv4-mapped forms normalised); the header is ignored', () => {
		expect(resolveClientAddress({ 'x-forwarded-for': '203.0.113.9' }, '::ffff:127.0.0.5', {})).toEqual({ ok: true, address: '127.0.0.5' });
		expect(resolveClientAddress({}, undefined, {})).toEqual({ ok: true, address: 'unknown' });
	});

	it('R-C14 R-O04 X-Forwarded-For is read at XFF_DEPTH from the right: what a client writes itself stays on the left', () => {
		expect(resolveClientAddress({ 'x-forwarded-for': '198.51.100.7' }, '127.0.0.1', xff)).toEqual({ ok: true, address: '198.51.100.7' });
		// a forged entry followed by the one nginx appended
		expect(resolveClientAddress({ 'x-forwarded-for': '203.0.113.1, 198.51.100.7' }, '127.0.0.1', xff)).toEqual({ ok: true, address: '198.51.100.7' });
		expect(resolveClientAddress({ 'x-forwarded-for': '203.0.113.1,198.51.100.7, 10.0.0.2' }, '127.0.0.1', { ...xff, XFF_DEPTH: 2 })).toEqual({ ok: true, address: '198.51.100.7' });
		expect(resolveClientAddress({ 'x-forwarded-for': '2001:db8::5' }, '127.0.0.1', xff)).toEqual({ ok: true, address: '2001:db8::5' });
		expect(resolveClientAddress({ 'x-real-ip': ' 198.51.100.8 ' }, '127.0.0.1', { ADDRESS_HEADER: 'x-real-ip' })).toEqual({ ok: true, address: '198.51.100.8' });
	});

	it('R-O04 a missing header, too few entries or a value that is no address is refused, never counted as the proxy', () => {
		expect(resolveClientAddress({}, '127.0.0.1', xff)).toMatchObject({ ok: false, header: 'x-forwarded-for', reason: 'missing' });
		expect(resolveClientAddress({ 'x-forwarded-for': ' ' }, '127.0.0.1', xff)).toMatchObject({ ok: false, reason: 'missing' });
		expect(resolveClientAddress({ 'x-forwarded-for': '198.51.100.7' }, '127.0.0.1', { ...xff, XFF_DEPTH: 2 })).toMatchObject({ ok: false, reason: 'too_few_entries' });
		expect(resolveClientAddress({ 'x-forwarded-for': '1.2.3.4, evil' }, '127.0.0.1', xff)).toMatchObject({ ok: false, reason: 'not_an_address' });
	});

	it('R-O04 ADDRESS_HEADER and XFF_DEPTH are parsed once: lower-cased, depth defaults to 1, depth only with x-forwarded-for', () => {
		const c = parseConfig({ ADDRESS_HEADER: 'X-Forwarded-For' });
		expect(c.ADDRESS_HEADER).toBe('x-forwarded-for');
		expect(c.XFF_DEPTH).toBe(1);
		expect(parseConfig({ ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '2' }).XFF_DEPTH).toBe(2);
		expect(() => parseConfig({ XFF_DEPTH: '1' })).toThrow(ConfigError);
		expect(() => parseConfig({ ADDRESS_HEADER: 'x-real-ip', XFF_DEPTH: '1' })).toThrow(/XFF_DEPTH/);
		expect(() => parseConfig({ ADDRESS_HEADER: 'x forwarded' })).toThrow(/ADDRESS_HEADER/);
		expect(parseConfig({}).HOST).toBe('127.0.0.1');
	});

	it('R-O04 STAFF_NETWORKS: CIDR lists are validated, matched for IPv4 and IPv6, and open when unset', () => {
		expect(() => parseConfig({ STAFF_NETWORKS: '10.0.0.0/33' })).toThrow(/STAFF_NETWORKS/);
		expect(() => parseConfig({ METRICS_NETWORKS: 'intranet' })).toThrow(/METRICS_NETWORKS/);
		const list = parseConfig({ STAFF_NETWORKS: '10.0.0.0/8, 192.168.10.0/24,2001:db8::/32, 172.16.1.5' }).STAFF_NETWORKS!;
		for (const a of ['10.200.1.1', '192.168.10.255', '::ffff:10.1.1.1', '2001:db8:1::9', '172.16.1.5']) expect(inNetworks(list, a), a).toBe(true);
		for (const a of ['11.0.0.1', '192.168.11.1', '2001:db9::1', '172.16.1.6', 'unknown']) expect(inNetworks(list, a), a).toBe(false);
		expect(staffNetworkAllows({}, '203.0.113.1')).toBe(true);
		expect(staffNetworkAllows({ STAFF_NETWORKS: list }, '203.0.113.1')).toBe(false);
		for (const p of ['/staff', '/staff/login', '/api/v1/staff/session', '/board/2']) expect(isStaffNetworkPath(p), p).toBe(true);
		for (const p of ['/', '/staffing', '/api/v1/citizen/links', '/api/v1/holds', '/manage/x', '/boards']) expect(isStaffNetworkPath(p), p).toBe(false);
	});

	it('R-O05 /metrics: loopback, METRICS_NETWORKS or the token; behind the proxy the client address counts, not the proxy', () => {
		const req = (peer: string, headers: Record<string, string> = {}) => ({ headers, socket: { remoteAddress: peer } }) as unknown as IncomingMessage;
		const plain = parseConfig({});
		expect(metricsAllowed(req('127.0.0.1'), plain)).toBe(true);
		expect(metricsAllowed(req('::1'), plain)).toBe(true);
		// a private address is no longer enough
		expect(metricsAllowed(req('10.0.0.5'), plain)).toBe(false);
		expect(metricsAllowed(req('10.0.0.5'), parseConfig({ METRICS_NETWORKS: '10.0.0.0/24' }))).toBe(true);
		// forwarded by a proxy the node was not told about
		expect(metricsAllowed(req('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }), plain)).toBe(false);
		const proxied = parseConfig({ ADDRESS_HEADER: 'x-forwarded-for', METRICS_NETWORKS: '10.0.0.0/8' });
		expect(metricsAllowed(req('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }), proxied)).toBe(false);
		expect(metricsAllowed(req('127.0.0.1', { 'x-forwarded-for': '203.0.113.9, 10.0.0.3' }), proxied)).toBe(true);
		expect(metricsAllowed(req('127.0.0.1'), proxied)).toBe(true); // a scrape straight to the node
		const token = parseConfig({ METRICS_TOKEN: 'metrics-token-0123456789' });
		expect(metricsAllowed(req('203.0.113.9', { authorization: 'Bearer metrics-token-0123456789' }), token)).toBe(true);
		expect(metricsAllowed(req('203.0.113.9', { authorization: 'Bearer metrics-token-0123456789x' }), token)).toBe(false);
	});

	it('R-O04 the sample systemd unit configures a node behind nginx that starts: HOST, ADDRESS_HEADER and XFF_DEPTH together', () => {
		const unit = readFileSync('docs/deploy/mynumber@.service', 'utf8');
		const env = Object.fromEntries([...unit.matchAll(/^Environment=(\w+)=(.*)$/gm)].map((m) => [m[1], m[2].replace('%i', '3000')]));
		const c = parseConfig(env);
		expect(c).toMatchObject({ HOST: '0.0.0.0', ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: 1, PORT: 3000 });
		const nginx = readFileSync('docs/deploy/nginx.conf', 'utf8');
		// every location that proxies sets the header the nodes read
		const locations = nginx.split(/\n\s*location /).slice(1);
		expect(locations.length).toBeGreaterThanOrEqual(3);
		for (const l of locations) expect(l, l.split('\n')[0]).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
	});
});
