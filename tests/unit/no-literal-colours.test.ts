// Issue 17 (one look): every colour comes from the design tokens. Components and app.css name a semantic custom
// property from src/lib/styles/tokens.css (defined from @digital-go-jp/design-tokens); a literal colour anywhere else
// is a second palette that drifts. This walks the source tree, so a new page is checked without being listed.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');
const TOKEN_SHEET = 'src/lib/styles/tokens.css';

// The CSS named colours (CSS Color 4), which would slip past a check for #hex and rgb().
const NAMED = new Set(
	'aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow yellowgreen'.split(' ')
);
const COLOUR_PROPS =
	/^(color|background(-color)?|border(-(top|right|bottom|left|block|inline)(-(start|end))?)?(-color)?|outline(-color)?|fill|stroke|box-shadow|text-shadow|text-decoration(-color)?|caret-color|accent-color|column-rule(-color)?|stop-color|flood-color|lighting-color)$/;
const FUNCTION_COLOUR = /\b(rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\(/i;
const HEX_COLOUR = /#[0-9a-fA-F]{3,8}\b/;

function files(dir: string, out: string[] = []): string[] {
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) files(path, out);
		else if (/\.(svelte|css)$/.test(entry.name)) out.push(path);
	}
	return out;
}

/** Each literal colour in a piece of CSS (a style block, a stylesheet, an inline style), with its line. */
export function literalColours(css: string): string[] {
	const found: string[] = [];
	const text = css.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
	text.split('\n').forEach((line, i) => {
		for (const decl of line.split(';')) {
			const m = decl.match(/([a-zA-Z-]+)\s*:\s*(.+)$/);
			const hex = decl.match(HEX_COLOUR);
			const fn = decl.match(FUNCTION_COLOUR);
			if (hex) found.push(`line ${i + 1}: ${hex[0]}`);
			else if (fn && !/var\(/.test(fn[0])) found.push(`line ${i + 1}: ${fn[0]}`);
			if (m && COLOUR_PROPS.test(m[1].toLowerCase())) {
				const words = m[2].replace(/var\([^)]*\)/g, ' ').match(/[a-zA-Z]+/g) ?? [];
				for (const w of words) if (NAMED.has(w.toLowerCase())) found.push(`line ${i + 1}: ${m[1]}: ${w}`);
			}
		}
	});
	return found;
}

/** The CSS a .svelte file carries: its <style> blocks, style="…" attributes and style:prop directives. */
function svelteCss(source: string): string {
	const keepLines = (from: number, text: string) => '\n'.repeat(source.slice(0, from).split('\n').length - 1) + text;
	const parts: string[] = [];
	for (const m of source.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)) parts.push(keepLines(m.index + m[0].indexOf('>') + 1, m[1]));
	for (const m of source.matchAll(/\sstyle="([^"]*)"/g)) parts.push(keepLines(m.index, m[1]));
	for (const m of source.matchAll(/\sstyle:([a-z-]+)="([^"]*)"/g)) parts.push(keepLines(m.index, `${m[1]}: ${m[2]}`));
	return parts.join('\n');
}

describe('one look: colours only through the design tokens', () => {
	it('finds the literal colours it is meant to catch (the check itself works)', () => {
		expect(literalColours('a { color: #0b4f8a; }')).toHaveLength(1);
		expect(literalColours('a { background: rgb(0 0 0 / 10%); }')).toHaveLength(1);
		expect(literalColours('a { border: 1px solid hsl(0, 0%, 80%); }')).toHaveLength(1);
		expect(literalColours('a {\n  border-left: 4px solid red;\n}')).toEqual(['line 2: border-left: red']);
		expect(literalColours('a { outline: 3px solid white; }')).toHaveLength(1);
		expect(literalColours('a { color: var(--color-text); border: 1px solid transparent; background: currentColor; }')).toEqual([]);
		expect(literalColours('/* was #d5dbe2 */ a { display: block; }')).toEqual([]);
		expect(svelteCss('<p style="color: #fff">x</p>\n<style>\n  p { color: var(--color-text); }\n</style>')).toMatch('#fff');
	});

	it('no .svelte file and no stylesheet outside the token sheet writes a literal colour', () => {
		const offenders: string[] = [];
		for (const path of files(SRC)) {
			const rel = relative(ROOT, path).split('\\').join('/');
			if (rel === TOKEN_SHEET) continue;
			const source = readFileSync(path, 'utf8');
			const css = rel.endsWith('.svelte') ? svelteCss(source) : source;
			for (const hit of literalColours(css)) offenders.push(`${rel} ${hit}`);
		}
		expect(offenders, 'use a custom property from src/lib/styles/tokens.css instead').toEqual([]);
	});

	it('the token sheet builds its colours from the デジタル庁 tokens and is loaded once, by app.css', () => {
		const sheet = readFileSync(join(ROOT, TOKEN_SHEET), 'utf8');
		expect(sheet).toContain("@import '@digital-go-jp/design-tokens/dist/tokens.css'");
		const ownColours = sheet
			.split('\n')
			.filter((l) => /^\s*--color-[a-z-]+\s*:/.test(l))
			.filter((l) => !/:\s*var\(--color-[a-z0-9-]+\);/.test(l));
		expect(ownColours, 'semantic colours point at DADS tokens (or at each other), never at a value').toEqual([]);
		const importers = files(SRC).filter((p) => readFileSync(p, 'utf8').includes('styles/tokens.css'));
		expect(importers.map((p) => relative(ROOT, p))).toEqual(['src/app.css']);
	});
});

/** Every custom property of the DADS sheet and the token sheet, followed through var() to its value. */
function tokenValues(): Map<string, string> {
	const raw = new Map<string, string>();
	const dads = join(ROOT, 'node_modules', '@digital-go-jp', 'design-tokens', 'dist', 'tokens.css');
	for (const path of [dads, join(ROOT, TOKEN_SHEET)])
		for (const m of readFileSync(path, 'utf8').matchAll(/(--[a-z0-9-]+)\s*:\s*([^;]+);/g)) raw.set(m[1], m[2].trim());
	const resolve = (name: string, depth = 0): string => {
		const v = raw.get(name);
		if (v === undefined || depth > 10) throw new Error(`${name} is not defined`);
		const ref = v.match(/^var\((--[a-z0-9-]+)\)$/);
		return ref ? resolve(ref[1], depth + 1) : v;
	};
	return new Map([...raw.keys()].map((k) => [k, resolve(k)]));
}

function luminance(hex: string): number {
	const h = hex.replace('#', '');
	const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
	const [r, g, b] = [0, 2, 4].map((i) => {
		const c = parseInt(full.slice(i, i + 2), 16) / 255;
		return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
	});
	return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
	const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
	return (x + 0.05) / (y + 0.05);
}

describe('one look: the token pairs the pages use meet WCAG AA', () => {
	const v = tokenValues();
	const text: [string, string][] = [];
	for (const fg of ['text', 'text-soft', 'text-muted', 'text-subtle', 'primary', 'danger', 'danger-text', 'success', 'warning-text'])
		for (const bg of ['surface', 'surface-muted']) text.push([fg, bg]);
	text.push(['text', 'page'], ['text-subtle', 'page'], ['primary', 'page'], ['primary', 'surface-info'], ['primary', 'surface-selected'], ['danger', 'danger-surface'], ['danger-text', 'danger-surface'],
		['success', 'success-surface'], ['success-strong', 'success-surface'], ['warning-text', 'warning-surface'],
		['text-on-fill', 'primary'], ['text-on-fill', 'danger'], ['text-on-fill', 'success'],
		['board-text', 'board-panel'], ['board-ok', 'board-panel'], ['board-highlight', 'board-bg'], ['board-bg', 'board-highlight']);
	it.each(text)('%s on %s reaches 4.5:1', (fg, bg) => {
		expect(contrast(v.get(`--color-${fg}`)!, v.get(`--color-${bg}`)!)).toBeGreaterThanOrEqual(4.5);
	});
	it('an input border reaches 3:1 on white (WCAG 1.4.11)', () => {
		expect(contrast(v.get('--color-border-input')!, v.get('--color-surface')!)).toBeGreaterThanOrEqual(3);
	});
});
