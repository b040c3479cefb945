/**
 * The client address for an audit row of a page load (R-O03). getClientAddress throws where the
 * adapter cannot tell (and is absent from hand-built events): a view is still logged, without it.
 */
export function clientAddress(event: { getClientAddress?: () => string }): string | null {
	try {
		return event.getClientAddress?.() ?? null;
	} catch {
		return null;
	}
}
