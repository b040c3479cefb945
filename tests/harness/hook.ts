import type { Handle } from '@sveltejs/kit';
// @ts-expect-error kit's internal server module ships no types (its exports map points at the public ones)
import { with_request_store } from '@sveltejs/kit/internal/server';

/**
 * Runs the request hook on a hand-made event as SvelteKit's server does: inside its request store,
 * which `sequence()` (@sveltejs/kit/hooks) reads for tracing. No tracing here: each span just runs.
 */
export function runHook(handle: Handle, input: Parameters<Handle>[0]): ReturnType<Handle> {
	const state = { tracing: { record_span: ({ fn }: { fn: (span: undefined) => unknown }) => fn(undefined) } };
	return (with_request_store as (store: unknown, fn: () => ReturnType<Handle>) => ReturnType<Handle>)({ event: input.event, state }, () => handle(input));
}
