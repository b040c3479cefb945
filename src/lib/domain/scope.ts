/**
 * R-S01 R-O04 (broken access control): which locations a staff user works for. Admins and
 * supervisors serve every location; viewers and clerks serve the locations an admin listed for
 * them, or every location when none is listed (cities that do not divide their staff).
 */
import type { Role } from './roles.ts';

export interface Scoped {
	role: Role;
	/** the served locations; null (or absent) = every location */
	locations?: readonly number[] | null;
}

/** The locations `p` is limited to, or null when it may act on every location. */
export function servedLocations(p: Scoped): readonly number[] | null {
	if (p.role === 'admin' || p.role === 'supervisor') return null;
	return p.locations && p.locations.length > 0 ? p.locations : null;
}

/** True when `p` may see and act on `locationId`. */
export function mayServe(p: Scoped, locationId: number): boolean {
	const served = servedLocations(p);
	return served === null || served.includes(locationId);
}

/** True when `p` serves at least one of `locationIds` (a card transfer concerns two locations). */
export function mayServeAny(p: Scoped, locationIds: readonly (number | null | undefined)[]): boolean {
	return locationIds.some((id) => id != null && mayServe(p, id));
}
