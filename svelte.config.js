import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build' }),
		// Mutating requests must come from our own origin (R-O04 CSRF); PUBLIC_ORIGIN is checked by kit
		csrf: { trustedOrigins: [] },
		// R-O04 XSS and clickjacking: scripts only from us, each inline one carrying this response's
		// nonce (hashes on prerendered pages). style-src keeps 'unsafe-inline' because Svelte writes
		// style attributes and transitions inline; styles cannot run code.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:'],
				'font-src': ['self'],
				// R-O04: sockets to our own origin only ('self' covers same-origin ws:/wss: in CSP Level 3
				// browsers; tests/e2e/proxy.spec.ts checks the live pages still connect), never to any host.
				'connect-src': ['self'],
				'frame-ancestors': ['none'],
				'form-action': ['self'],
				'base-uri': ['self'],
				'object-src': ['none']
			}
		},
		alias: {
			$db: 'db',
			$server: 'server'
		}
	}
};

export default config;
