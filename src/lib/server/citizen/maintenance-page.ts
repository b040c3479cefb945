import type { MaintenanceState } from './maintenance.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** R-C13: the one page the citizen site shows while closed — standalone, so it needs nothing else of the app. */
export function maintenancePage(m: MaintenanceState, lang: 'ja' | 'en'): string {
	const en = lang === 'en';
	const end = m.until
		? new Date(m.until).toLocaleString(en ? 'en-GB' : 'ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit' })
		: null;
	const title = en ? 'Under maintenance' : 'メンテナンス中';
	const lead = en ? 'The My Number card booking site is under maintenance.' : 'マイナンバーカード交付予約サイトは、ただいまメンテナンス中です。';
	const until = end ? (en ? `Planned end: ${end} (Japan time)` : `終了予定：${end}`) : en ? 'The end time is not fixed yet.' : '終了時刻は未定です。';
	const msg = en ? m.messageEn : m.messageJa;
	const sorry = en ? 'We apologise for the inconvenience. Bookings already made are kept.' : 'ご不便をおかけしますが、しばらくお待ちください。すでにお受けした予約はそのまま有効です。';
	return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — ${en ? 'My Number card booking' : 'マイナンバーカード交付予約'}</title>
<style>body{font-family:system-ui,"Hiragino Sans","Noto Sans JP",sans-serif;margin:0;padding:1.5rem;line-height:1.7;color:#1a1a1a;background:#fff}
main{max-width:40rem;margin:0 auto}h1{font-size:1.6rem;color:#8a1c00}.end{font-size:1.2rem;font-weight:bold;padding:.75rem 1rem;border:2px solid #8a1c00;border-radius:.5rem}
a{color:#0b4fa8}</style></head><body><main><h1>${title}</h1><p>${lead}</p><p class="end">${esc(until)}</p>${msg ? `<p>${esc(msg)}</p>` : ''}<p>${sorry}</p>
<p><a href="?lang=${en ? 'ja' : 'en'}">${en ? '日本語' : 'English'}</a></p></main></body></html>`;
}
