import type { Principal } from '$lib/server/auth/session.ts';

declare global {
	namespace App {
		interface Locals {
			principal: Principal | null;
			lang: 'ja' | 'en';
		}
		interface Error {
			message: string;
			code?: string;
		}
	}
}

export {};
