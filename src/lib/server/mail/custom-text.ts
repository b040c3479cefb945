/**
 * R-S13: texts an admin edits (「回送と未来庁メール」, table mail_texts) take the place of a
 * topic's built-in template. Only the placeholders offered on that form are filled; the text is
 * plain, so the HTML part is the same text escaped, with line breaks kept.
 */
import Handlebars from 'handlebars';
import { QueryTypes } from 'sequelize';
import type { Db } from '../../../../db/index.ts';

export interface CustomText {
	subject: string;
	text: string;
	html: string;
}

const hb = Handlebars.create();
const cache = new Map<string, HandlebarsTemplateDelegate>();
const compile = (src: string) => {
	let t = cache.get(src);
	if (!t) {
		t = hb.compile(src, { noEscape: true, strict: false, knownHelpersOnly: true });
		if (cache.size > 100) cache.clear();
		cache.set(src, t);
	}
	return t;
};

export async function customText(db: Db, key: string, lang: 'ja' | 'en', vars: Record<string, string>): Promise<CustomText | null> {
	const [row] = await db.sequelize.query<{ subject: string; body: string }>(`SELECT subject, body FROM mail_texts WHERE key = :key AND lang = :lang`, {
		replacements: { key, lang },
		type: QueryTypes.SELECT
	});
	if (!row) return null;
	const subject = compile(row.subject)(vars).replace(/[\r\n\t]+/g, ' ').trim();
	const text = compile(row.body)(vars);
	const html = `<!doctype html><html lang="${lang}"><body><p style="white-space:pre-line">${Handlebars.escapeExpression(text)}</p></body></html>`;
	return { subject, text, html };
}
