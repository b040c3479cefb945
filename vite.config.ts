import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { realtimeDevPlugin } from './server/dev/vite-plugin.ts';

export default defineConfig({
	plugins: [sveltekit(), realtimeDevPlugin()]
});
