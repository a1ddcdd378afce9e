import { buildOpenApiDocument } from '../../schemas/api.js';
import { ROUTES } from './api-routes.js';

/** Version of the API in its OpenAPI document. */
export const API_VERSION = '0.1.0';

/**
 * The OpenAPI document of every route in the manifest, as GET /api/v1/openapi.json serves it. Free of
 * configuration, so the lint (scripts/lint-openapi.ts) and the client generator read the same document.
 */
export const openApiDocument = () => buildOpenApiDocument(ROUTES, API_VERSION);
