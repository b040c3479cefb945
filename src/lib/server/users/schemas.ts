import { z } from 'zod';
import { ROLES } from '../../domain/roles.ts';
import { MAX_PASSWORD_LENGTH } from '../../domain/password-policy.ts';

/** Staff user administration (R-S01). Bodies are strict: unknown fields are 400s. */
export const loginField = z
	.string()
	.trim()
	.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/, 'ユーザーIDは半角英数字と . _ - で3〜64文字にしてください');
export const displayNameField = z.string().trim().min(1, '氏名を入力してください').max(100, '氏名は100文字以内にしてください');
export const roleField = z.enum(ROLES, { error: '権限を選んでください' });
/** Served locations; an empty list means every location. */
export const locationIdsField = z
	.array(z.number().int().positive().max(2_147_483_647))
	.max(100)
	.transform((ids) => [...new Set(ids)].sort((a, b) => a - b));
/** Length and content are the password policy's to judge (Japanese messages); this only bounds the input. */
export const passwordField = z.string().min(1, 'パスワードを入力してください').max(MAX_PASSWORD_LENGTH * 4);

export const createUserBody = z.strictObject({
	login: loginField,
	displayName: displayNameField,
	role: roleField,
	locationIds: locationIdsField.default([]),
	/** omitted: a password is generated and returned once */
	password: passwordField.optional()
});
export type CreateUserInput = z.infer<typeof createUserBody>;

export const updateUserBody = z
	.strictObject({
		displayName: displayNameField.optional(),
		role: roleField.optional(),
		active: z.boolean().optional(),
		locationIds: locationIdsField.optional()
	})
	.refine((b) => Object.values(b).some((v) => v !== undefined), { message: '変更する項目を指定してください', path: ['(body)'] });
export type UpdateUserInput = z.infer<typeof updateUserBody>;

/** Either the admin's new password, or {generate: true} for one made here and shown once. */
export const passwordResetBody = z.union([z.strictObject({ password: passwordField }), z.strictObject({ generate: z.literal(true) })]);
export type PasswordResetInput = z.infer<typeof passwordResetBody>;

export const userIdParam = z.coerce.number().int().positive().max(2_147_483_647);
