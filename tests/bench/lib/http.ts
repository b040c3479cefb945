/**
 * HTTP for the storm benchmark's citizens: node:http with keep-alive agents, one agent per local
 * source address. The app limits some steps per client address (links: 30 an hour); the
 * benchmark's citizens therefore come from many addresses of 127/8 (Linux routes the whole range
 * over the loopback interface), as real citizens come from many addresses. Nothing leaves 127/8.
 */
import { Agent, request } from 'node:http';

const agents = new Map<string, Agent>();
/** Requests that got no HTTP answer, by error code (ECONNRESET, timeout, …). */
export const noAnswer = new Map<string, number>();
/**
 * Requests sent again because the kept-alive connection they were written on had just been closed
 * by the server (its 5 s idle timeout) before any answer: browsers resend in that case, and so does
 * this client, once, on a new connection (Node's documented `req.reusedSocket` pattern).
 */
export const resentOnClosedKeepAlive = { count: 0 };
const fail = (e: unknown) => {
	const code = (e as { code?: string }).code ?? (e as Error).message ?? 'error';
	noAnswer.set(code, (noAnswer.get(code) ?? 0) + 1);
};

function agentFor(localAddress: string): Agent {
	let a = agents.get(localAddress);
	if (!a) {
		a = new Agent({ keepAlive: true, maxSockets: 4, localAddress } as ConstructorParameters<typeof Agent>[0]);
		agents.set(localAddress, a);
	}
	return a;
}

export interface Answer {
	status: number;
	body: unknown;
}

/** One JSON request; status 0 means no answer at all (connection refused, reset, timeout). */
export function send(
	url: string,
	opts: { method?: string; token?: string; body?: unknown; from?: string; timeoutMs?: number } = {},
	resent = false
): Promise<Answer> {
	const u = new URL(url);
	const from = opts.from ?? '127.0.0.1';
	const payload = opts.body === undefined ? null : Buffer.from(JSON.stringify(opts.body));
	const headers: Record<string, string | number> = { accept: 'application/json' };
	if (payload) {
		headers['content-type'] = 'application/json';
		headers['content-length'] = payload.length;
	}
	if (opts.token) headers.authorization = `Bearer ${opts.token}`;
	return new Promise((resolve) => {
		let answered = false;
		const req = request(
			{ host: u.hostname, port: u.port, path: u.pathname + u.search, method: opts.method ?? 'GET', headers, agent: agentFor(from), localAddress: from },
			(res) => {
				answered = true;
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					let body: unknown = text;
					try {
						body = text ? JSON.parse(text) : null;
					} catch {
						/* not JSON: keep the text */
					}
					resolve({ status: res.statusCode ?? 0, body });
				});
				res.on('error', (e) => (fail(e), resolve({ status: 0, body: null })));
			}
		);
		req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error('timeout')));
		req.on('error', (e) => {
			const code = (e as { code?: string }).code;
			if (!answered && !resent && req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) {
				resentOnClosedKeepAlive.count++;
				return void send(url, opts, true).then(resolve);
			}
			fail(e);
			resolve({ status: 0, body: null });
		});
		if (payload) req.write(payload);
		req.end();
	});
}

export function closeAgents(): void {
	for (const a of agents.values()) a.destroy();
	agents.clear();
}

/** Source address number `i` in 127.<net>.0.1 … 127.<net>.3.250 (1,000 addresses). */
export function sourceAddress(net: number, i: number): string {
	const k = i % 1000;
	return `127.${net}.${Math.floor(k / 250)}.${(k % 250) + 1}`;
}
