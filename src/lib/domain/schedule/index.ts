/**
 * Scheduling rules of a location (R-S06, R-S07, R-S17, R-C05): pure functions, no I/O, no clock.
 */
export * from './time.ts';
export * from './validation.ts';
export * from './holidays.ts';
export * from './patterns.ts';
export * from './exceptions.ts';
export * from './rules.ts';
export * from './slots.ts';
export * from './regenerate.ts';
export * from './window.ts';
export * from './purposes.ts';
export * from './month.ts';
