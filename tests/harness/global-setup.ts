import type { TestProject } from 'vitest/node';
import { ensureServices } from './services.ts';
import { createTemplateDatabase, type DatabaseTemplate } from './database.ts';

declare module 'vitest' {
	export interface ProvidedContext {
		databaseUrl: string;
		redisUrl: string;
		/** migrated once per run; createTestDatabase copies it for each file (tests/harness/database.ts) */
		databaseTemplate: DatabaseTemplate;
	}
}

/** Integration tests get real Postgres and Redis; started here when none answers. */
export default async function setup(project: TestProject) {
	const services = await ensureServices();
	for (const n of services.notes) console.log(`[harness] ${n}`);
	project.provide('databaseUrl', services.databaseUrl);
	project.provide('redisUrl', services.redisUrl);
	let template: Awaited<ReturnType<typeof createTemplateDatabase>>;
	try {
		template = await createTemplateDatabase(services.databaseUrl);
	} catch (e) {
		await services.stop();
		throw e;
	}
	project.provide('databaseTemplate', { serverUrl: template.serverUrl, name: template.name });
	return async () => {
		await template.drop().catch((e) => console.warn(`[harness] could not drop the template ${template.name}: ${(e as Error).message}`));
		await services.stop();
	};
}
