import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build' }),
		// Mutating requests must come from our own origin (R-O04 CSRF); PUBLIC_ORIGIN is checked by kit
		csrf: { trustedOrigins: [] },
		alias: {
			$db: 'db',
			$server: 'server'
		}
	}
};

export default config;
