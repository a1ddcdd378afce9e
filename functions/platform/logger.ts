import { Logger } from '@aws-lambda-powertools/logger';
import { config } from './config.js';

/**
 * One JSON log line per event (Powertools Logger), with service, level, request id and tenant id.
 * Log ids, sizes, hashes and error names only: never attribute values, tokens, prompts or secrets.
 */
export const logger = new Logger({ serviceName: 'modos', logLevel: config().LOG_LEVEL });
