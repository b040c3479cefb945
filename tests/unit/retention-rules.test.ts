import { describe, expect, it } from 'vitest';
import { DAY_RULES } from '../../src/lib/server/ops/retention-rules.ts';
import { actionLabel } from '../../src/lib/domain/audit-actions.ts';

describe('R-O09 the retention rules in days', () => {
	it('R-O09 each rule has a default inside its bounds, a Japanese label, and names the tables and columns it purges', () => {
		expect(DAY_RULES.map((d) => d.key)).toEqual(['linkDays', 'holdDays', 'mailDays', 'noteDays', 'openCardDays']);
		for (const d of DAY_RULES) {
			expect(d.min).toBeGreaterThanOrEqual(1);
			expect(d.defaultDays).toBeGreaterThanOrEqual(d.min);
			expect(d.defaultDays).toBeLessThanOrEqual(d.max);
			expect(d.label).toMatch(/[ぁ-んァ-ン一-龥]/);
			expect(d.targets.length).toBeGreaterThan(0);
			for (const x of d.targets) {
				expect(x.columns.length).toBeGreaterThan(0);
				// every candidate query is bounded by the rule's cut-off
				expect(x.candidates).toContain(':before');
				expect(x.purge('SELECT 1 AS id')).toMatch(/count\(\*\)::int AS n/);
			}
		}
	});

	it('R-O09 R-O03 the purge and rule changes read in Japanese in the 操作ログ', () => {
		for (const a of ['retention.rules_changed', 'retention.purged', 'retention.purged_batch']) expect(actionLabel(a)).not.toBe(a);
	});
});
