/**
 * Real services for the test run (DESIGN "Tests"): Postgres and Redis from DATABASE_URL /
 * REDIS_URL (defaults 127.0.0.1:5432 and :6379) when they answer; otherwise the harness starts
 * its own (embedded Postgres; redis-server on a free port, installed with apt-get when missing
 * and running as root), or stops with the exact command to run. Chromium comes from Debian.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '../../server/dev/embedded-postgres.ts';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

export class HarnessError extends Error {}

async function postgresAnswers(url: string): Promise<boolean> {
	const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
	try {
		await c.connect();
		await c.query('SELECT 1');
		return true;
	} catch {
		return false;
	} finally {
		await c.end().catch(() => {});
	}
}

function redisAnswers(url: string): Promise<boolean> {
	const u = new URL(url);
	return new Promise((resolve) => {
		const sock = createConnection({ host: u.hostname, port: Number(u.port || 6379) });
		const done = (ok: boolean) => {
			sock.destroy();
			resolve(ok);
		};
		sock.setTimeout(2000, () => done(false));
		sock.on('error', () => done(false));
		sock.on('connect', () => sock.write('PING\r\n'));
		sock.on('data', (d) => done(d.toString().startsWith('+PONG')));
	});
}

function aptInstall(pkg: string, what: string): void {
	if (!isRoot()) {
		throw new HarnessError(`${what} is missing. Install it with:\n  sudo apt-get update && sudo apt-get install -y ${pkg}`);
	}
	console.log(`[harness] installing ${pkg} with apt-get…`);
	spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
	const r = spawnSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
	if (r.status !== 0) throw new HarnessError(`apt-get install ${pkg} failed; run it by hand: apt-get install -y ${pkg}`);
}

export function ensureChromium(): string {
	if (!existsSync(CHROMIUM)) aptInstall('chromium', `Chromium (${CHROMIUM})`);
	if (!existsSync(CHROMIUM)) throw new HarnessError(`Chromium not found at ${CHROMIUM} after install; set CHROMIUM_PATH`);
	ensureJapaneseFont();
	return CHROMIUM;
}

/**
 * Debian's Chromium brings no Japanese font: every screenshot would show empty boxes instead of
 * the Japanese UI, and a person looking at it could not judge the page. Installed as root; otherwise
 * a warning with the command (the tests themselves do not read glyphs).
 */
const CJK_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
function ensureJapaneseFont(): void {
	if (existsSync(CJK_FONT)) return;
	if (!isRoot()) {
		console.warn(`[harness] no Japanese font for Chromium: screenshots will show boxes. Install it with:\n  sudo apt-get install -y fonts-noto-cjk`);
		return;
	}
	aptInstall('fonts-noto-cjk', 'A Japanese font for Chromium (fonts-noto-cjk)');
}

export interface Services {
	databaseUrl: string;
	redisUrl: string;
	notes: string[];
	stop(): Promise<void>;
}

export async function ensureServices(): Promise<Services> {
	const notes: string[] = [];
	const stops: (() => Promise<unknown>)[] = [];
	let databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
	if (await postgresAnswers(databaseUrl)) {
		notes.push(`postgres: ${new URL(databaseUrl).host}`);
	} else {
		const dir = mkdtempSync(join(tmpdir(), 'mn-test-pg-'));
		const pgServer = await startEmbeddedPostgres(dir, 'postgres');
		databaseUrl = pgServer.url;
		notes.push(`postgres: embedded on :${pgServer.port} (nothing answered at ${process.env.DATABASE_URL || DEFAULT_DATABASE_URL})`);
		stops.push(async () => {
			await pgServer.stop();
			rmSync(dir, { recursive: true, force: true });
		});
	}

	let redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
	if (await redisAnswers(redisUrl)) {
		notes.push(`redis: ${new URL(redisUrl).host}`);
	} else {
		const redis = await startRedisServer();
		redisUrl = redis.url;
		notes.push(`redis: started redis-server on :${redis.port}`);
		stops.push(redis.stop);
	}
	return {
		databaseUrl,
		redisUrl,
		notes,
		async stop() {
			for (const s of stops) await s().catch(() => {});
		}
	};
}

function which(cmd: string): boolean {
	return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** A throwaway redis-server on a free port (no persistence). Also used by tests that stop and restart Redis. */
export async function startRedisServer(port?: number): Promise<{ url: string; port: number; process: ChildProcess; stop(): Promise<void> }> {
	if (!which('redis-server')) aptInstall('redis-server', 'redis-server');
	const p = port ?? (await freePort());
	const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
	const url = `redis://127.0.0.1:${p}`;
	for (let i = 0; i < 100; i++) {
		if (await redisAnswers(url)) break;
		await new Promise((r) => setTimeout(r, 50));
	}
	if (!(await redisAnswers(url))) throw new HarnessError(`redis-server did not start on port ${p}`);
	return {
		url,
		port: p,
		process: child,
		stop: () =>
			new Promise<void>((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
			})
	};
}
