/**
 * R-C09 R-S15: the check-in QR code of a booking, drawn on the server as SVG. It carries only the
 * check-in code (letters and digits, no personal data); the page shows the same code as text
 * beneath it for a counter that cannot scan.
 */
import QRCode from 'qrcode';
import { CHECKIN_CODE_RE } from './tokens.ts';

/** An SVG with an accessible name; null for anything that is not a check-in code. */
export async function checkinQrSvg(code: string, label: string): Promise<string | null> {
	if (!CHECKIN_CODE_RE.test(code)) return null;
	const svg = await QRCode.toString(code, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
	// The label is our own text from i18n; escaped anyway since it lands in markup.
	const name = label.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
	return svg.replace(/^<svg /, `<svg role="img" aria-label="${name}" focusable="false" `);
}
