import { z } from 'zod';

/** POST /api/v1/staff/session (R-S01). */
export const loginBody = z.strictObject({
	userId: z.string().min(1).max(64),
	password: z.string().min(1).max(200)
});
