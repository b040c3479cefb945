import { readFileSync } from 'node:fs';

export const ARTIFACTS = 'tests/.artifacts';
export const STATE_FILE = `${ARTIFACTS}/e2e-state.json`;
export const DEMO_PASSWORD = 'e2e-demo-password';
export const JWT_SECRET = 'e2e-jwt-secret-0123456789abcdef0123456789';

export interface NodeInfo {
	pid: number;
	url: string;
	port: number;
}

export interface E2eState {
	nodes: Record<string, NodeInfo>;
	databaseUrl: string;
	databaseName: string;
	serverUrl: string;
	env: Record<string, string>;
	/** the one mail sink both nodes send to (SMTP_URL), started by the global set-up */
	mail?: { smtpUrl: string; viewUrl: string };
}

export function e2eState(): E2eState {
	return JSON.parse(readFileSync(STATE_FILE, 'utf8'));
}
