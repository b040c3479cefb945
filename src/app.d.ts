import type { Principal } from '$lib/server/auth/session.ts';
import type { CitizenPrincipal } from '$lib/server/citizen/session.ts';
import type { MaintenanceState } from '$lib/server/citizen/maintenance.ts';

declare global {
	namespace App {
		interface Locals {
			principal: Principal | null;
			lang: 'ja' | 'en';
			/** R-C02: the session an emailed link opened */
			citizen: CitizenPrincipal | null;
			/** R-C13, on citizen paths */
			maintenance?: MaintenanceState;
			/** set by handleError when the database was unreachable: the hook answers 503 instead of 500 (R-O05) */
			databaseDown?: boolean;
		}
		interface Error {
			message: string;
			code?: string;
		}
	}
}

export {};
