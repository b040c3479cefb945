import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { openApiDocument } from '../../src/lib/server/openapi.ts';
import { isCitizenPath } from '../../src/lib/server/citizen/maintenance.ts';

/**
 * R-O04: the OpenAPI document lists every API route with its methods, and nothing that is not a
 * route; a handler that parses its input documents its 400, the staff API its 401 (the session
 * hook), the citizen side its 503 (maintenance). Routes are read from the files themselves, so a
 * new endpoint without an entry fails here with the line to add.
 */
const ROUTES = 'src/routes';
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];

interface Route {
	file: string;
	path: string;
	methods: Map<Method, string>;
}

function serverFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const p = join(dir, e.name);
		return e.isDirectory() ? serverFiles(p) : e.name === '+server.ts' ? [p] : [];
	});
}

/** src/routes/api/v1/staff/cards/[id]/history/+server.ts → /api/v1/staff/cards/{id}/history; (groups) vanish. */
export function routePath(file: string): string {
	const segments = relative(ROUTES, file).split(sep).slice(0, -1);
	return (
		'/' +
		segments
			.filter((s) => !/^\(.*\)$/.test(s))
			.map((s) => s.replace(/^\[(?:\.\.\.)?([^\]]+)\]$/, '{$1}'))
			.join('/')
	);
}

/** The handlers a +server.ts exports, each with its own source text (up to the next export). */
function handlers(source: string): Map<Method, string> {
	const found: { method: Method; at: number }[] = [];
	for (const m of source.matchAll(/export\s+(?:const|let|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g)) found.push({ method: m[1] as Method, at: m.index });
	for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
		for (const name of m[1].split(',').map((x) => x.trim().split(/\s+as\s+/).pop()!)) if ((METHODS as readonly string[]).includes(name)) found.push({ method: name as Method, at: m.index });
	}
	found.sort((a, b) => a.at - b.at);
	return new Map(found.map((f, i) => [f.method, source.slice(f.at, found[i + 1]?.at ?? source.length)]));
}

const routes: Route[] = serverFiles(join(ROUTES, 'api'))
	.sort()
	.map((file) => ({ file, path: routePath(file), methods: handlers(readFileSync(file, 'utf8')) }));

const doc = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
const op = (method: Method, path: string) => doc.paths[path]?.[method.toLowerCase()];
const HOW = 'add an Op to OPS in src/lib/server/openapi.ts (or to its area’s *_OPS list spread into it)';

describe('R-O04 the OpenAPI document covers every API route', () => {
	it('R-O04 route paths map as SvelteKit does: [id] → {id}, groups dropped', () => {
		expect(routePath(join(ROUTES, 'api', 'v1', 'staff', 'cards', '[id]', 'history', '+server.ts'))).toBe('/api/v1/staff/cards/{id}/history');
		expect(routePath(join(ROUTES, 'api', '(x)', 'v1', 'files', '[...rest]', '+server.ts'))).toBe('/api/v1/files/{rest}');
		expect(handlers('export const GET = () => 1;\nexport const DELETE: RequestHandler = async () => 2;\nexport { handler as PATCH };')).toEqual(
			new Map([
				['GET', 'export const GET = () => 1;\n'],
				['DELETE', 'export const DELETE: RequestHandler = async () => 2;\n'],
				['PATCH', 'export { handler as PATCH };']
			])
		);
		expect(routes.length).toBeGreaterThan(30);
	});

	it('R-O04 every method of every src/routes/api/**/+server.ts is in /api/v1/openapi.json, and the document has nothing else', () => {
		const inRoutes = new Set(routes.flatMap((r) => [...r.methods.keys()].map((m) => `${m} ${r.path}`)));
		const missing = routes.flatMap((r) => [...r.methods.keys()].filter((m) => !documented.has(`${m} ${r.path}`)).map((m) => `${m} ${r.path}  (${r.file}): ${HOW}`));
		const extra = [...documented].filter((k) => !inRoutes.has(k)).map((k) => `${k}: in the document but no +server.ts exports it; remove the Op or add the handler`);
		expect([...missing, ...extra], `OpenAPI and routes differ:\n${[...missing, ...extra].join('\n')}`).toEqual([]);
	});

	it('R-O04 documented errors: 400 where a handler parses its input, 401 on the staff API, 503 on the citizen side', () => {
		const problems: string[] = [];
		for (const r of routes) {
			for (const [m, source] of r.methods) {
				const o = op(m, r.path);
				if (!o) continue; // reported by the test above
				const codes = Object.keys(o.responses);
				if (/\b(parseWith|readJson)\(/.test(source) && !codes.includes('400')) problems.push(`${m} ${r.path}: parses its input (parseWith/readJson) but does not document 400`);
				if (r.path.startsWith('/api/v1/staff/') && !(m === 'POST' && r.path === '/api/v1/staff/session') && !codes.includes('401')) problems.push(`${m} ${r.path}: staff API without 401`);
				if (isCitizenPath(r.path) && !codes.includes('503')) problems.push(`${m} ${r.path}: citizen side without 503 (maintenance)`);
			}
		}
		expect(problems, problems.join('\n')).toEqual([]);
	});
});
