import type { Db } from '../../db/index.ts';
import { parseConfig, type Config } from '../../src/lib/server/config.ts';
import { createLogger } from '../../src/lib/server/log.ts';
import type { AppContext, CardStatusChange, Publisher } from '../../src/lib/server/context.ts';

export type RecordedEvent =
	| { type: 'slotsChanged'; locationId: number; dates: string[] }
	| { type: 'cardStatusChanged'; changes: CardStatusChange[] };

/** An AppContext for use-case tests: real database, a publisher that records what was published, a settable clock. */
export function testContext(db: Db, opts: { config?: Partial<Record<keyof Config, string>>; now?: Date } = {}) {
	const events: RecordedEvent[] = [];
	const clock = { now: opts.now ?? new Date() };
	const publisher: Publisher = {
		slotsChanged: (locationId, dates) => void events.push({ type: 'slotsChanged', locationId, dates: [...dates] }),
		cardStatusChanged: (changes) => void events.push({ type: 'cardStatusChanged', changes: [...changes] })
	};
	const ctx: AppContext = {
		config: parseConfig({ LOG_LEVEL: 'silent', ...opts.config }),
		log: createLogger('silent'),
		db,
		events: publisher,
		jwtSecret: 'test-secret-test-secret-test-secret-0123',
		redis: { mode: 'memory', ping: async () => true },
		now: () => clock.now,
		publicOrigin: 'http://127.0.0.1:3000',
		kickOutbox: () => {}
	};
	return { ctx, events, clock };
}
