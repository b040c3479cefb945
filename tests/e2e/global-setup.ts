/**
 * E2E set-up: real Postgres and Redis (from the environment, or started here), Debian's Chromium,
 * the built app, and two app nodes sharing one database and one Redis (R-O01, R-L04).
 * Node A seeds the demo city; node B starts after it. What the tests need is written to STATE_FILE.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { ensureChromium, ensureServices } from '../harness/services.ts';
import { createTestDatabase } from '../harness/database.ts';
import { freePort } from '../../server/dev/embedded-postgres.ts';
import { startMailSink } from '../../server/dev/mail-sink.ts';
import { STATE_FILE, ARTIFACTS, type E2eState, DEMO_PASSWORD, JWT_SECRET } from './state.ts';

export async function startNode(name: string, env: Record<string, string>): Promise<{ pid: number; url: string; port: number }> {
	const port = await freePort();
	const logFile = `${ARTIFACTS}/node-${name}.log`;
	const out = (await import('node:fs')).openSync(logFile, 'a');
	const child = spawn(process.execPath, ['server/index.ts'], {
		env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
		stdio: ['ignore', out, out],
		detached: false
	});
	child.unref();
	const url = `http://127.0.0.1:${port}`;
	// A node starts in a few seconds; on a machine shared with other work it may take a minute or two.
	const deadline = Date.now() + 150_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) break;
		const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
		if (ok) return { pid: child.pid!, url, port };
		await new Promise((r) => setTimeout(r, 100));
	}
	child.kill('SIGKILL'); // not left running when the caller gives up on it
	throw new Error(`node ${name} did not become ready; see ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
}

export default async function globalSetup() {
	mkdirSync(ARTIFACTS, { recursive: true });
	mkdirSync(`${ARTIFACTS}/screenshots`, { recursive: true });
	ensureChromium();
	if (!existsSync('build/handler.js') || process.env.E2E_REBUILD === '1') {
		const r = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
		if (r.status !== 0) throw new Error('npm run build failed');
	}
	const services = await ensureServices();
	const database = await createTestDatabase(services.databaseUrl, 'e2e');
	await database.db.close();
	// One sink for both nodes: a mail goes out from whichever node runs the outbox job.
	const sink = await startMailSink();
	const env = {
		SMTP_URL: sink.smtpUrl,
		DATABASE_URL: database.url,
		REDIS_URL: services.redisUrl,
		// Concurrent runs sharing one Redis must not hear each other's pushes.
		REDIS_KEY: `e2e-${database.name}`,
		JWT_SECRET,
		DEMO_PASSWORD,
		NODE_ENV: 'production',
		// Every e2e request comes from 127.0.0.1: the per-address verification limit (R-C14) would
		// lock later tests out after the bad-input test. Per session and per card stay at 5; the
		// per-address limit is proven in tests/integration/citizen-journey.test.ts.
		CITIZEN_VERIFY_MAX_FAILURES_PER_IP: '10000'
	};
	const a = await startNode('a', { ...env, SEED_DEMO: 'true' });
	const b = await startNode('b', { ...env, SEED_DEMO: 'false' });
	const state: E2eState = { nodes: { a, b }, databaseUrl: database.url, databaseName: database.name, serverUrl: services.databaseUrl, env, mail: { smtpUrl: sink.smtpUrl, viewUrl: sink.viewUrl } };
	writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));

	return async () => {
		const s: E2eState = JSON.parse(readFileSync(STATE_FILE, 'utf8'));
		for (const n of Object.values(s.nodes)) {
			try {
				process.kill(n.pid, 'SIGTERM');
			} catch {
				/* already gone (a test may have killed it) */
			}
		}
		await new Promise((r) => setTimeout(r, 1500));
		await sink.close();
		await database.drop();
		await services.stop();
	};
}
