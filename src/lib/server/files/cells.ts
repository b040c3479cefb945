/**
 * The one escape for every spreadsheet cell the product writes (CSV and xlsx; R-O04). Excel, and
 * LibreOffice after it, runs a cell that starts with = + - @ (or a tab / CR before one) as a
 * formula: `=HYPERLINK("http://x","a")` in a citizen's name becomes a link that leaks the sheet.
 * Such a cell gets a leading apostrophe, which the spreadsheet shows as plain text.
 * Full-width ＝ ＋ － ＠ are included: Japanese Excel turns them into formulas too when typed.
 */
const FORMULA = /^[=+\-@\t\r\n＝＋－＠]/;

export function safeCell(value: string | number | null | undefined): string {
	const v = value == null ? '' : String(value);
	return FORMULA.test(v) ? `'${v}` : v;
}

/** A whole row escaped. */
export const safeRow = (row: readonly (string | number | null | undefined)[]): string[] => row.map(safeCell);
