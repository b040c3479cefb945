/** Printed and exported lists (R-S10, R-S11, R-S13): pure rules. */
export * from './kinds.ts';
export * from './sort.ts';
export * from './transfer.ts';
export * from './visit.ts';
