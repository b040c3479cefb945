/**
 * The order of the pull list (R-S10): storage positions as staff read them, numbers by value
 * ("箱2" before "箱10"), full-width digits the same as half-width ones.
 *
 * The key is built so that a plain code-point comparison of keys gives that order: every run of
 * digits is padded to KEY_DIGITS. The database sorts with the same key (see BOX_KEY_SQL), so the
 * list can be read in batches straight from Postgres in this order; tests check that both agree.
 * (JavaScript compares UTF-16 units and COLLATE "C" code points: they differ only between
 * characters beyond U+FFFF and U+E000–U+FFFF, which box positions do not mix.)
 */
export const KEY_DIGITS = 12;

const FULL_WIDTH_DIGITS = '０１２３４５６７８９';

export function halfWidthDigits(s: string): string {
	return s.replace(/[０-９]/g, (c) => String(FULL_WIDTH_DIGITS.indexOf(c)));
}

/** Runs longer than KEY_DIGITS keep their last KEY_DIGITS digits (positions are at most 40 characters). */
export function boxSortKey(position: string): string {
	return halfWidthDigits(position).replace(/\d+/g, (run) => run.padStart(KEY_DIGITS, '0').slice(-KEY_DIGITS));
}

/** Negative when `a` comes before `b` on the shelf. */
export function compareBoxPositions(a: string, b: string): number {
	const ka = boxSortKey(a);
	const kb = boxSortKey(b);
	return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * The same key in SQL over `column`; compare it with COLLATE "C" (code-point order, as above).
 * Two passes: prefix every digit run with KEY_DIGITS zeros, then keep the run's last KEY_DIGITS.
 */
export function boxKeySql(column: string): string {
	const zeros = '0'.repeat(KEY_DIGITS);
	return `regexp_replace(regexp_replace(translate(${column}, '${FULL_WIDTH_DIGITS}', '0123456789'), '([0-9]+)', '${zeros}\\1', 'g'), '[0-9]*([0-9]{${KEY_DIGITS}})(?![0-9])', '\\1', 'g')`;
}
