/** Staff roles, weakest first (R-S01). A role can do everything the roles before it can. */
export const ROLES = ['viewer', 'clerk', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, { ja: string; en: string }> = {
	viewer: { ja: '閲覧', en: 'Viewer' },
	clerk: { ja: '職員', en: 'Clerk' },
	supervisor: { ja: '監督者', en: 'Supervisor' },
	admin: { ja: '管理者', en: 'Administrator' }
};

export function isRole(v: unknown): v is Role {
	return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** True when `role` is at least `needed`. */
export function hasRole(role: Role, needed: Role): boolean {
	return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
