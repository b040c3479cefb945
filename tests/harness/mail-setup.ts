/** Vitest-only set-up for mail tests (kept apart from tests/harness/mail.ts, which the benchmarks import too). */
import { afterAll, beforeAll, inject } from 'vitest';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { startMailSink, type MailSink } from '../../server/dev/mail-sink.ts';
import { createMailTransport, type MailTransport } from '../../src/lib/server/mail/transport.ts';

/**
 * The database, a real SMTP sink and a transport to it, for one mail test file: call at the top
 * level; the returned getters are valid inside tests.
 */
export function mailTestSetup(label: string) {
	const env = {} as { t: TestDatabase; sink: MailSink; transport: MailTransport };
	beforeAll(async () => {
		env.t = await createTestDatabase(inject('databaseUrl'), label);
		env.sink = await startMailSink();
		env.transport = createMailTransport(env.sink.smtpUrl);
	});
	afterAll(async () => {
		env.transport?.close();
		await env.sink?.close();
		await env.t?.drop();
	});
	return env;
}
