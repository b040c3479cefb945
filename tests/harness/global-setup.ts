import type { TestProject } from 'vitest/node';
import { ensureServices } from './services.ts';

declare module 'vitest' {
	export interface ProvidedContext {
		databaseUrl: string;
		redisUrl: string;
	}
}

/** Integration tests get real Postgres and Redis; started here when none answers. */
export default async function setup(project: TestProject) {
	const services = await ensureServices();
	for (const n of services.notes) console.log(`[harness] ${n}`);
	project.provide('databaseUrl', services.databaseUrl);
	project.provide('redisUrl', services.redisUrl);
	return () => services.stop();
}
