import type { PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { listCitizenLocations } from '$lib/server/availability.ts';

export const load: PageServerLoad = async () => ({ locations: await listCitizenLocations(appContext()) });
