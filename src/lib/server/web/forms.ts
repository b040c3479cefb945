/**
 * Small helpers for form actions: read typed values from FormData and turn an AppError into
 * what a page shows (one message on top, one per field).
 */
import { fail } from '@sveltejs/kit';
import { isAppError } from '../errors.ts';

export const text = (f: FormData, name: string): string => String(f.get(name) ?? '').trim();

/** An integer, or NaN when blank or not a whole number (the validators then say so in Japanese). */
export function int(f: FormData, name: string): number {
	const v = text(f, name);
	return /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
}

export const checked = (f: FormData, name: string): boolean => f.get(name) === 'on' || f.get(name) === 'true';

export interface FormFailure {
	message: string;
	errors: Record<string, string>;
	[key: string]: unknown;
}

/** Runs a use case for a form action; an AppError becomes fail(status, {message, errors, ...extra}). */
export async function attempt<T>(work: () => Promise<T>, extra: Record<string, unknown> = {}) {
	try {
		return { ok: true as const, value: await work() };
	} catch (e) {
		if (!isAppError(e)) throw e;
		const errors: Record<string, string> = {};
		for (const x of e.errors) errors[x.field] ??= x.message;
		return { ok: false as const, failure: fail(e.status, { message: e.message, errors, ...extra } satisfies FormFailure) };
	}
}

/** The location fields of the settings forms (create and edit share them). */
export function locationFields(f: FormData) {
	return {
		code: text(f, 'code'),
		nameJa: text(f, 'nameJa'),
		nameEn: text(f, 'nameEn'),
		addressJa: text(f, 'addressJa'),
		citizenBookable: checked(f, 'citizenBookable'),
		sortOrder: int(f, 'sortOrder')
	};
}
