import { z } from 'zod';

/** POST /api/v1/staff/board-tokens: a wall board for one location. */
export const boardTokenBody = z.strictObject({
	locationId: z.number().int().positive(),
	label: z.string().trim().min(1, '設置場所の名前を入力してください').max(100)
});
