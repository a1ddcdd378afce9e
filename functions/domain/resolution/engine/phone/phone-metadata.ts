/**
 * libphonenumber-js's metadata (the numbering plans of every country, MIT licence) read from a file next to the
 * bundle, so that the engine parses phone numbers with `libphonenumber-js/core` exactly as the full `libphonenumber-js`
 * does without its 80 KB of metadata in the bundle.
 *
 * `libphonenumber-js` is `libphonenumber-js/core` with `metadata.min.json` passed as the last argument of every call.
 * `libphonenumber-metadata/metadata.min.json` is that file, byte for byte, read and parsed the first time a value
 * that could be a phone number is standardised (one read of 83 KB per process), and kept.
 *
 * The folder sits next to this module in the sources and next to `index.mjs` in a bundle (lib/bundle-assets.ts copies
 * it into every bundle that contains this module, for the CDK stack and for the local bundles alike), as
 * transliterate/ does with its tables: program data shipped with the code, not the outside world, so the engine
 * takes no port for it.
 *
 * test/unit/resolution/phone.test.ts keeps the file equal to the installed libphonenumber-js's (its `-u` run rewrites
 * it after an upgrade) and compares standardisePhone() with the full libphonenumber-js over many numbers.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MetadataJson } from 'libphonenumber-js/core';

/**
 * The folder name is also what lib/bundle-assets.ts looks for in a bundle to decide that it needs the folder. A
 * function, not a constant: esbuild keeps a top-level `new URL()` in every bundle that imports this module without
 * using it, and the literal with it.
 */
const dataDir = (): URL => new URL('./libphonenumber-metadata/', import.meta.url);

/** The file of the folder: libphonenumber-js's `metadata.min.json`, the metadata `libphonenumber-js` itself uses. */
export const PHONE_METADATA_FILE = 'metadata.min.json';

/** The metadata file is missing or unreadable: the bundle was deployed without the files that ship with it. */
export class PhoneMetadataMissingError extends Error {
  override readonly name = 'PhoneMetadataMissingError';
  readonly code = 'PHONE_METADATA_MISSING';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

let metadata: MetadataJson | undefined;

/** libphonenumber-js's metadata, read on the first call; PhoneMetadataMissingError when its file is not there. */
export function phoneMetadata(): MetadataJson {
  if (metadata === undefined) {
    const file = new URL(PHONE_METADATA_FILE, dataDir());
    try {
      metadata = JSON.parse(readFileSync(file, 'utf8')) as MetadataJson;
    } catch (cause) {
      throw new PhoneMetadataMissingError(`phone number metadata not found or unreadable: ${fileURLToPath(file)}`, {
        cause,
      });
    }
  }
  return metadata;
}
