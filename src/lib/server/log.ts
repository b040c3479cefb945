import pino from 'pino';

/**
 * JSON logs. Personal data never goes in (R-O05); the redact list is a second line of defence
 * for fields that could carry it by mistake.
 */
export const REDACT = [
	'password',
	'*.password',
	'token',
	'*.token',
	'authorization',
	'*.authorization',
	'req.headers.cookie',
	'req.headers.authorization',
	'*.noticeId',
	'*.birthDate',
	'*.email',
	'*.phone',
	'*.name',
	'*.nameKana',
	'*.nameKanji'
];

export function createLogger(level: string) {
	return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { pid: process.pid } });
}

export type Logger = ReturnType<typeof createLogger>;
