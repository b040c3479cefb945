/**
 * `npm test`: every suite, in order — unit, integration (real Postgres and Redis), e2e (built app,
 * two nodes, Debian's Chromium). Services are found or started once here and handed to each suite.
 * Ends with one line "N passed, N failed" and a non-zero exit code when anything failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { ensureChromium, ensureServices, HarnessError } from './harness/services.ts';

const ART = 'tests/.artifacts';
mkdirSync(ART, { recursive: true });

interface Result {
	suite: string;
	passed: number;
	failed: number;
	skipped: number;
	ok: boolean;
	seconds: number;
}

function run(suite: string, args: string[], env: NodeJS.ProcessEnv): { ok: boolean; seconds: number } {
	const t0 = Date.now();
	console.log(`\n=== ${suite}: ${args.join(' ')}`);
	const r = spawnSync(process.execPath, args, { stdio: 'inherit', env });
	return { ok: r.status === 0, seconds: (Date.now() - t0) / 1000 };
}

function vitest(project: string, env: NodeJS.ProcessEnv): Result {
	const out = `${ART}/vitest-${project}.json`;
	rmSync(out, { force: true });
	const r = run(project, ['node_modules/vitest/vitest.mjs', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`], env);
	const j = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : { numPassedTests: 0, numFailedTests: 1, numPendingTests: 0 };
	return { suite: project, passed: j.numPassedTests, failed: j.numFailedTests + (r.ok || j.numFailedTests ? 0 : 1), skipped: j.numPendingTests + (j.numTodoTests ?? 0), ...r };
}

function playwright(env: NodeJS.ProcessEnv): Result {
	const out = `${ART}/playwright.json`;
	rmSync(out, { force: true });
	const r = run('e2e', ['node_modules/@playwright/test/cli.js', 'test', '--reporter=list,json'], { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: out });
	const s = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')).stats : { expected: 0, unexpected: 1, skipped: 0, flaky: 0 };
	return { suite: 'e2e', passed: s.expected, failed: s.unexpected + s.flaky + (r.ok || s.unexpected ? 0 : 1), skipped: s.skipped, ...r };
}

async function main() {
	let services;
	try {
		ensureChromium();
		services = await ensureServices();
	} catch (e) {
		if (e instanceof HarnessError) {
			console.error(`\n${e.message}`);
			process.exit(2);
		}
		throw e;
	}
	for (const n of services.notes) console.log(`[harness] ${n}`);
	const env = { ...process.env, DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl };
	const results: Result[] = [];
	try {
		// Vitest reads tsconfig.json, which extends the generated .svelte-kit/tsconfig.json: generate it first (a clean clone has none).
		const synced = run('sync', ['node_modules/@sveltejs/kit/svelte-kit.js', 'sync'], env).ok;
		results.push(vitest('unit', env));
		results.push(vitest('integration', env));
		const build = synced && run('build', ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], env).ok;
		if (build) results.push(playwright(env));
		else results.push({ suite: 'e2e', passed: 0, failed: 1, skipped: 0, ok: false, seconds: 0 });
	} finally {
		await services.stop();
	}
	console.log('\nsuite        passed  failed  skipped  seconds');
	for (const r of results) console.log(`${r.suite.padEnd(12)} ${String(r.passed).padStart(6)} ${String(r.failed).padStart(7)} ${String(r.skipped).padStart(8)} ${r.seconds.toFixed(0).padStart(8)}`);
	const passed = results.reduce((a, r) => a + r.passed, 0);
	const failed = results.reduce((a, r) => a + r.failed, 0);
	const skipped = results.reduce((a, r) => a + r.skipped, 0);
	console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
	process.exit(failed === 0 && results.every((r) => r.ok) ? 0 : 1);
}

await main();
