/**
 * `npm run -s vendors -- [--port N] [--seed S] [--records N]`: the fake Salesforce, HubSpot and Workday APIs on one
 * loopback server (docs/fake-vendors.md). Once listening it prints one JSON line with the URL and the credentials;
 * Ctrl-C or SIGTERM stops it. Bad usage exits with 2, a failure to start with 1.
 */
import { parseArgs } from 'node:util';
import {
  DEFAULT_PORT,
  DEFAULT_RECORDS,
  DEFAULT_SEED,
  MAX_RECORDS,
  MIN_RECORDS,
  VendorOptionsError,
  startFakeVendors,
} from '../local/vendors/index.js';

const USAGE = `usage: npm run -s vendors -- [--port N] [--seed S] [--records N]
  --port     listening port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 = a free port)
  --seed     seed of the generated data (default ${DEFAULT_SEED})
  --records  vendor records in all, ${MIN_RECORDS}-${MAX_RECORDS} (default ${DEFAULT_RECORDS})
`;

function usage(message: string): never {
  process.stderr.write(`${message}\n${USAGE}`);
  process.exit(2);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string' },
      seed: { type: 'string' },
      records: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (e) {
  usage((e as Error).message);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const integer = (name: string, fallback: number): number => {
  const v = values[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) usage(`--${name} must be a non-negative integer, got ${String(v)}`);
  return Number(v);
};

const options = {
  port: integer('port', DEFAULT_PORT),
  seed: integer('seed', DEFAULT_SEED),
  records: integer('records', DEFAULT_RECORDS),
};

const t0 = Date.now();
const vendors = await startFakeVendors(options).catch((e: Error & { code?: string }) => {
  if (e instanceof VendorOptionsError) usage(e.message);
  const hint =
    e.code === 'EADDRINUSE' ? ` (port ${options.port} is taken: pass --port with another one, 8900-8999)` : '';
  process.stderr.write(`fake vendors failed to start: ${e.message}${hint}\n`);
  process.exit(1);
});
process.stdout.write(`${JSON.stringify(vendors.credentials)}\n`);
process.stderr.write(
  `fake vendors at ${vendors.url} (seed ${options.seed}, ${options.records} records, ready in ${Date.now() - t0} ms); control API at ${vendors.url}/_control\n`,
);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await vendors.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
