import type { RequestHandler } from './$types';
import { json } from '$lib/server/web/http.ts';
import { openApiDocument } from '$lib/server/openapi.ts';

let doc: Record<string, unknown> | undefined;

export const GET: RequestHandler = () => json((doc ??= openApiDocument()));
