import { describe, expect, it } from 'vitest';
import { parseConfig, ConfigError } from '../../src/lib/server/config.ts';

describe('configuration', () => {
	it('R-O10 defaults give a working development configuration', () => {
		const c = parseConfig({});
		expect(c).toMatchObject({ PORT: 3000, SESSION_TTL_MINUTES: 480, LOGIN_MAX_FAILURES: 5, LOGIN_LOCK_MINUTES: 15, REALTIME_COALESCE_MS: 100 });
		expect(c.DATABASE_URL).toBeUndefined();
		expect(c.REDIS_URL).toBeUndefined();
	});

	it('R-O10 a bad variable stops start-up with a message naming it', () => {
		expect(() => parseConfig({ PORT: 'eighty' })).toThrowError(ConfigError);
		expect(() => parseConfig({ PORT: 'eighty' })).toThrowError(/PORT/);
		expect(() => parseConfig({ DATABASE_URL: 'mysql://x' })).toThrowError(/DATABASE_URL: must be a URL starting with postgres:/);
		expect(() => parseConfig({ REDIS_URL: 'nope' })).toThrowError(/REDIS_URL/);
		expect(() => parseConfig({ JWT_SECRET: 'short' })).toThrowError(/JWT_SECRET: must be at least 32 characters/);
		expect(() => parseConfig({ SEED_DEMO: 'maybe' })).toThrowError(/SEED_DEMO/);
	});

	it('R-O10 empty variables count as unset; numbers and booleans are parsed', () => {
		const c = parseConfig({ DATABASE_URL: '', PORT: '8080', SEED_DEMO: 'true', REDIS_URL: 'redis://127.0.0.1:6379' });
		expect(c.DATABASE_URL).toBeUndefined();
		expect(c.PORT).toBe(8080);
		expect(c.SEED_DEMO).toBe(true);
		expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
	});

	it('R-O08 the drain before a shutdown and the release name: defaults, parsing and bad values named', () => {
		const d = parseConfig({});
		expect(d.SHUTDOWN_DRAIN_MS).toBe(5000);
		expect(d.RELEASE).toBeUndefined();
		const c = parseConfig({ SHUTDOWN_DRAIN_MS: '1500', RELEASE: 'v2026.11.25-abc123' });
		expect(c.SHUTDOWN_DRAIN_MS).toBe(1500);
		expect(c.RELEASE).toBe('v2026.11.25-abc123');
		expect(() => parseConfig({ SHUTDOWN_DRAIN_MS: '-1' })).toThrowError(/SHUTDOWN_DRAIN_MS: must be at least 0/);
		expect(() => parseConfig({ RELEASE: 'v1 <script>' })).toThrowError(/RELEASE: letters, digits/);
	});
});
