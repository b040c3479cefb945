import type { Plugin } from 'vite';
import type { Server as HttpServer } from 'node:http';
import { parseConfig } from '../../src/lib/server/config.ts';
import { boot, type Booted } from '../boot.ts';

/**
 * `npm run dev` behaves like production: the same boot (database, migrations, context, Socket.IO,
 * Redis adapter) is attached to Vite's own http server.
 */
export function realtimeDevPlugin(): Plugin {
	let app: Booted | undefined;
	return {
		name: 'mynumber-dev-server',
		apply: 'serve',
		async configureServer(server) {
			if (!server.httpServer) return;
			app = await boot(parseConfig(process.env), server.httpServer as HttpServer);
			server.middlewares.use((req, res, next) => {
				if (!app?.ops(req, res)) next();
			});
			if (app.demo) console.log(`  demo staff password: ${app.demo.password} (admin / supervisor / clerk / viewer)`);
			if (app.mailViewUrl) console.log(`  demo mail view: ${app.mailViewUrl}`);
			server.httpServer.once('close', () => void app?.close());
		}
	};
}
