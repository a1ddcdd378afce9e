/**
 * Writes the typed client's types (openapi-typescript) generated from the served OpenAPI document to
 * test/support/generated/api.d.ts. `npm run -s gen:client`; run it after changing a route's contract.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CLIENT_TYPES_FILE, clientTypesOf, servedOpenApiDocument } from './lib/openapi.js';

const target = resolve(import.meta.dirname, '..', CLIENT_TYPES_FILE);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, await clientTypesOf(servedOpenApiDocument()));
process.stdout.write(`${CLIENT_TYPES_FILE}\n`);
