/**
 * Mail templates (Handlebars), named after the outbox topic that sends them, Japanese first with
 * an English variant, each with a subject, a plain-text body and an HTML body. Compiled once, when
 * this module is first imported (STYLE habit 9, after opencollective's emailTemplates.ts).
 *
 * The HTML environment escapes every value; the text and subject environments do not (they are
 * not HTML), and nodemailer encodes them for the wire. Views carry only what a citizen may read:
 * masked names, never a notice ID or a birth date (see compose.ts).
 */
import Handlebars from 'handlebars';
import { MAIL_TOPICS, type MailTopic } from './topics.ts';

export { MAIL_TOPICS, isMailTopic, type MailTopic } from './topics.ts';
export type Lang = 'ja' | 'en';

// ---------------------------------------------------------------- shared parts (partials)

const PARTIALS_TEXT: Record<string, string> = {
	detailsJa: `■ 予約番号：{{bookingNumber}}
■ 日時：{{when}}
■ 場所：{{location.name}}
{{#if location.address}}　住所：{{location.address}}
{{/if}}{{#if location.access}}　交通：{{location.access}}
{{/if}}■ 用件：{{purpose}}
■ 来庁される方：{{#each persons}}{{#unless @first}}、{{/unless}}{{this}}{{/each}}（{{persons.length}}名）
`,
	detailsEn: `- Booking number: {{bookingNumber}}
- Date and time: {{when}}
- Place: {{location.name}}
{{#if location.address}}  Address: {{location.address}}
{{/if}}{{#if location.access}}  Access: {{location.access}}
{{/if}}- Purpose: {{purpose}}
- Persons: {{#each persons}}{{#unless @first}}, {{/unless}}{{this}}{{/each}} ({{persons.length}})
`,
	bringJa: `
{{#if precautions.length}}
■ お持ちいただくもの・注意事項
{{#each precautions}}・{{this}}
{{/each}}

{{/if}}
■ 受付用QRコード
添付の画像（QRコード）を窓口でご提示ください。読み取れないときは、予約番号（{{bookingNumber}}）をお伝えください。

■ 予約の確認・変更・取消
{{manageUrl}}
`,
	bringEn: `
{{#if precautions.length}}
What to bring / before you come
{{#each precautions}}- {{this}}
{{/each}}

{{/if}}
Check-in QR code
Show the attached QR code image at the counter. If it cannot be read, tell the staff your booking number ({{bookingNumber}}).

Check, change or cancel your booking
{{manageUrl}}
`,
	footerJa: `
──────────────────
{{city}}
お問い合わせ：{{contact}}
このメールは送信専用です。返信いただいてもお答えできません。
`,
	footerEn: `
------------------
{{city}}
Contact: {{contact}}
This address does not receive replies.
`
};

const css = {
	body: 'margin:0;padding:0;background:#f3f5f8;font-family:sans-serif;color:#1b2430;line-height:1.7',
	box: 'max-width:600px;margin:0 auto;background:#ffffff;padding:20px 16px',
	h1: 'font-size:20px;margin:0 0 12px;color:#0b4f8a',
	th: 'text-align:left;vertical-align:top;padding:6px 8px;background:#eef2f6;white-space:nowrap;font-weight:normal;color:#4a5663',
	td: 'padding:6px 8px;vertical-align:top',
	button: 'display:inline-block;background:#0b4f8a;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:8px;font-weight:bold',
	small: 'font-size:13px;color:#4a5663'
};

const PARTIALS_HTML: Record<string, string> = {
	layout: `<!doctype html><html lang="{{lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{subject}}</title></head>
<body style="${css.body}"><div style="${css.box}">
<p style="${css.small}">{{city}}</p>
{{> @partial-block}}
<hr style="border:0;border-top:1px solid #d5dbe2;margin:24px 0 12px">
<p style="${css.small}">{{city}}<br>{{#if (eq lang "en")}}Contact: {{else}}お問い合わせ：{{/if}}{{contact}}<br>{{#if (eq lang "en")}}This address does not receive replies.{{else}}このメールは送信専用です。返信いただいてもお答えできません。{{/if}}</p>
</div></body></html>`,
	details: `<table role="presentation" style="border-collapse:collapse;width:100%;margin:12px 0;font-size:15px">
<tr><th scope="row" style="${css.th}">{{#if (eq lang "en")}}Booking number{{else}}予約番号{{/if}}</th><td style="${css.td}"><strong style="font-size:18px;letter-spacing:1px">{{bookingNumber}}</strong></td></tr>
<tr><th scope="row" style="${css.th}">{{#if (eq lang "en")}}Date and time{{else}}日時{{/if}}</th><td style="${css.td}"><strong>{{when}}</strong></td></tr>
<tr><th scope="row" style="${css.th}">{{#if (eq lang "en")}}Place{{else}}場所{{/if}}</th><td style="${css.td}">{{location.name}}{{#if location.address}}<br>{{location.address}}{{/if}}{{#if location.access}}<br><span style="${css.small}">{{location.access}}</span>{{/if}}</td></tr>
<tr><th scope="row" style="${css.th}">{{#if (eq lang "en")}}Purpose{{else}}用件{{/if}}</th><td style="${css.td}">{{purpose}}</td></tr>
<tr><th scope="row" style="${css.th}">{{#if (eq lang "en")}}Persons{{else}}来庁される方{{/if}}</th><td style="${css.td}">{{#each persons}}{{this}}<br>{{/each}}</td></tr>
</table>`,
	bring: `{{#if precautions.length}}<h2 style="font-size:16px;margin:20px 0 6px">{{#if (eq lang "en")}}What to bring / before you come{{else}}お持ちいただくもの・注意事項{{/if}}</h2>
<ul style="margin:0;padding-left:1.2em">{{#each precautions}}<li>{{this}}</li>{{/each}}</ul>{{/if}}
<h2 style="font-size:16px;margin:20px 0 6px">{{#if (eq lang "en")}}Check-in QR code{{else}}受付用QRコード{{/if}}</h2>
<p style="margin:0 0 6px">{{#if (eq lang "en")}}Show this code at the counter. If it cannot be read, tell the staff your booking number ({{bookingNumber}}).{{else}}窓口でこのQRコードをご提示ください。読み取れないときは、予約番号（{{bookingNumber}}）をお伝えください。{{/if}}</p>
<img src="cid:{{qrCid}}" width="180" height="180" alt="{{#if (eq lang "en")}}Check-in QR code for booking {{bookingNumber}}{{else}}予約番号 {{bookingNumber}} の受付用QRコード{{/if}}" style="display:block;border:1px solid #d5dbe2">
<p style="margin:20px 0 6px"><a href="{{manageUrl}}" style="${css.button}">{{#if (eq lang "en")}}Check, change or cancel{{else}}予約の確認・変更・取消{{/if}}</a></p>
<p style="${css.small};word-break:break-all">{{manageUrl}}</p>`,
	bookAgain: `<p style="margin:20px 0 6px"><a href="{{bookAgainUrl}}" style="${css.button}">{{#if (eq lang "en")}}Book another visit{{else}}改めて予約する{{/if}}</a></p>
<p style="${css.small};word-break:break-all">{{bookAgainUrl}}</p>`
};

// ---------------------------------------------------------------- one template per topic and language

interface Source {
	subject: string;
	text: string;
	html: string;
}

const subj = (ja: string) => `【{{city}}】${ja}（予約番号 {{bookingNumber}}）`;
const subjEn = (en: string) => `[{{city}}] ${en} (booking {{bookingNumber}})`;

/** A reservation mail: an opening paragraph, the details, then what to bring, the QR and the manage link. */
function full(ja: { subject: string; lead: string }, en: { subject: string; lead: string }): Record<Lang, Source> {
	return {
		ja: {
			subject: subj(ja.subject),
			text: `${ja.lead}\n\n{{> detailsJa}}{{> bringJa}}{{> footerJa}}`,
			html: `{{#> layout}}<h1 style="${css.h1}">${ja.subject}</h1><p>${ja.lead}</p>{{> details}}{{> bring}}{{/layout}}`
		},
		en: {
			subject: subjEn(en.subject),
			text: `${en.lead}\n\n{{> detailsEn}}{{> bringEn}}{{> footerEn}}`,
			html: `{{#> layout}}<h1 style="${css.h1}">${en.subject}</h1><p>${en.lead}</p>{{> details}}{{> bring}}{{/layout}}`
		}
	};
}

/** A mail about a visit that will not take place: the details and a link to book again. */
function ended(ja: { subject: string; lead: string }, en: { subject: string; lead: string }): Record<Lang, Source> {
	return {
		ja: {
			subject: subj(ja.subject),
			text: `${ja.lead}\n\n{{> detailsJa}}\n\n■ 改めてのご予約はこちら\n{{bookAgainUrl}}\n{{> footerJa}}`,
			html: `{{#> layout}}<h1 style="${css.h1}">${ja.subject}</h1><p>${ja.lead}</p>{{> details}}{{> bookAgain}}{{/layout}}`
		},
		en: {
			subject: subjEn(en.subject),
			text: `${en.lead}\n\n{{> detailsEn}}\n\nTo book again:\n{{bookAgainUrl}}\n{{> footerEn}}`,
			html: `{{#> layout}}<h1 style="${css.h1}">${en.subject}</h1><p>${en.lead}</p>{{> details}}{{> bookAgain}}{{/layout}}`
		}
	};
}

const SOURCES: Record<MailTopic, Record<Lang, Source>> = {
	'citizen.link': {
		ja: {
			subject: '【{{city}}】マイナンバーカード受取予約のURLをお送りします',
			text: `マイナンバーカード受取の予約をお申し込みいただきありがとうございます。
次のURLを開いて、予約の手続きを続けてください。

{{linkUrl}}

・このURLの有効期限は{{linkMinutes}}分です。1回だけ使えます。
・期限が切れた場合は、もう一度メールアドレスを入力してください。
・このメールに心当たりがない場合は、何もせずにこのメールを破棄してください。
{{> footerJa}}`,
			html: `{{#> layout}}<h1 style="${css.h1}">予約手続きのURL</h1>
<p>マイナンバーカード受取の予約をお申し込みいただきありがとうございます。次のボタンから予約の手続きを続けてください。</p>
<p style="margin:20px 0 6px"><a href="{{linkUrl}}" style="${css.button}">予約の手続きを続ける</a></p>
<p style="${css.small};word-break:break-all">{{linkUrl}}</p>
<ul><li>このURLの有効期限は<strong>{{linkMinutes}}分</strong>です。1回だけ使えます。</li>
<li>期限が切れた場合は、もう一度メールアドレスを入力してください。</li>
<li>このメールに心当たりがない場合は、何もせずにこのメールを破棄してください。</li></ul>{{/layout}}`
		},
		en: {
			subject: '[{{city}}] Your link to book a My Number card pick-up',
			text: `Thank you for your request. Open this link to continue your booking:

{{linkUrl}}

- The link is valid for {{linkMinutes}} minutes and works once.
- If it has expired, enter your email address again.
- If you did not ask for this, ignore this mail.
{{> footerEn}}`,
			html: `{{#> layout}}<h1 style="${css.h1}">Your booking link</h1>
<p>Thank you for your request. Use the button below to continue your booking.</p>
<p style="margin:20px 0 6px"><a href="{{linkUrl}}" style="${css.button}">Continue booking</a></p>
<p style="${css.small};word-break:break-all">{{linkUrl}}</p>
<ul><li>The link is valid for <strong>{{linkMinutes}} minutes</strong> and works once.</li>
<li>If it has expired, enter your email address again.</li>
<li>If you did not ask for this, ignore this mail.</li></ul>{{/layout}}`
		}
	},
	'reservation.created': full(
		{ subject: '予約を受け付けました', lead: 'マイナンバーカード受取の予約を受け付けました。予約の内容は次のとおりです。' },
		{ subject: 'Your booking is confirmed', lead: 'Your visit to pick up your My Number card is booked. Here are the details.' }
	),
	'reservation.resend': full(
		{ subject: '予約内容のご案内（再送）', lead: 'ご依頼により、予約の内容を再送します。' },
		{ subject: 'Your booking details (sent again)', lead: 'As requested, here are the details of your booking again.' }
	),
	'reservation.moved': full(
		{ subject: '予約の日時・場所を変更しました', lead: '予約の変更を受け付けました。変更後の内容は次のとおりです。受付用のQRコードと予約番号は変わりません（以前のメールのQRコードもそのままお使いいただけます）。カレンダーに登録済みの場合は、添付のファイルで新しい日時に更新できます。' },
		{ subject: 'Your booking has been changed', lead: 'Your booking has been changed. The new details are below. Your check-in QR code and booking number stay the same (the QR code in earlier mails still works). If you added the visit to your calendar, open the attached file to update it to the new time.' }
	),
	'reservation.person_added': full(
		{ subject: '予約に来庁される方を追加しました', lead: '予約に来庁される方を追加しました。変更後の内容は次のとおりです。' },
		{ subject: 'A person has been added to your booking', lead: 'A person has been added to your booking. The updated details are below.' }
	),
	'reservation.reminder': full(
		{ subject: 'ご来庁日が近づいています', lead: '{{#if (eq daysUntil 0)}}本日{{else if (eq daysUntil 1)}}明日{{else}}{{daysUntil}}日後{{/if}}はマイナンバーカード受取のご予約日です。お持ちいただくものをご確認のうえ、お越しください。' },
		{ subject: 'Reminder of your visit', lead: 'Your visit to pick up your My Number card is {{#if (eq daysUntil 0)}}today{{else if (eq daysUntil 1)}}tomorrow{{else}}in {{daysUntil}} days{{/if}}. Please check what to bring.' }
	),
	'reservation.cancelled': ended(
		{ subject: '予約を取り消しました', lead: '次の予約を取り消しました。改めてご予約いただく場合は、下のURLからお手続きください。' },
		{ subject: 'Your booking has been cancelled', lead: 'The booking below has been cancelled. To book another visit, use the link below.' }
	),
	'reservation.no_show': ended(
		{ subject: 'ご予約の日にご来庁がありませんでした', lead: '次のご予約の日時にご来庁を確認できませんでした。マイナンバーカードは引き続き保管しています。改めて受取日をご予約ください。' },
		{ subject: 'We missed you at your booked visit', lead: 'We did not see you at the visit below. Your My Number card is still waiting for you: please book another visit.' }
	)
};

// ---------------------------------------------------------------- compiled once

function environment(partials: Record<string, string>) {
	const hb = Handlebars.create();
	hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
	for (const [name, src] of Object.entries(partials)) hb.registerPartial(name, src);
	return hb;
}
const textEnv = environment(PARTIALS_TEXT);
const htmlEnv = environment(PARTIALS_HTML);
const OPTS = { preventIndent: true } as const;

type Render = (view: object) => string;
const COMPILED = Object.fromEntries(
	MAIL_TOPICS.map((topic) => [
		topic,
		Object.fromEntries(
			(['ja', 'en'] as const).map((lang) => {
				const s = SOURCES[topic][lang];
				const compiled = {
					subject: textEnv.compile(s.subject, { ...OPTS, noEscape: true }),
					text: textEnv.compile(s.text, { ...OPTS, noEscape: true }),
					html: htmlEnv.compile(s.html, OPTS)
				};
				// Handlebars compiles on first use: render once now, so a broken template fails at start-up.
				for (const c of Object.values(compiled)) c({ lang, persons: [], precautions: [] });
				return [lang, compiled];
			})
		)
	])
) as Record<MailTopic, Record<Lang, { subject: Render; text: Render; html: Render }>>;

export interface Rendered {
	subject: string;
	text: string;
	html: string;
}

export function renderMail(topic: MailTopic, lang: Lang, view: Record<string, unknown>): Rendered {
	const t = COMPILED[topic][lang];
	// A subject is one line: no value may break it (nodemailer would fold it anyway).
	const subject = t.subject(view).replace(/[\r\n\t]+/g, ' ').trim();
	return { subject, text: t.text(view), html: t.html({ ...view, subject }) };
}
