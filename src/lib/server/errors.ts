/**
 * Errors a use case may return to a caller. Routes map them to problem+json (RFC 9457);
 * sockets map them to `{ error }` acks. Only these messages reach clients.
 */
export type ErrorCode =
	| 'bad_request'
	| 'unauthenticated'
	| 'forbidden'
	| 'not_found'
	| 'conflict'
	| 'locked'
	| 'unprocessable'
	| 'rate_limited'
	| 'gone'
	| 'too_large'
	| 'unavailable';

const STATUS: Record<ErrorCode, number> = {
	bad_request: 400,
	unauthenticated: 401,
	forbidden: 403,
	not_found: 404,
	conflict: 409,
	locked: 423,
	unprocessable: 422,
	rate_limited: 429,
	gone: 410,
	too_large: 413,
	unavailable: 503
};

export interface FieldError {
	field: string;
	message: string;
}

export class AppError extends Error {
	readonly code: ErrorCode;
	readonly status: number;
	readonly errors: FieldError[];
	readonly extra: Record<string, unknown>;
	/** the English message, for citizens who chose English; the Japanese one otherwise */
	readonly en: string | undefined;

	constructor(code: ErrorCode, message: string, opts: { errors?: FieldError[]; extra?: Record<string, unknown>; en?: string } = {}) {
		super(message);
		this.en = opts.en;
		this.code = code;
		this.status = STATUS[code];
		this.errors = opts.errors ?? [];
		this.extra = opts.extra ?? {};
	}
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
