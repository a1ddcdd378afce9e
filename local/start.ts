/**
 * `npm start`: the whole platform on this machine. Ctrl-C or SIGTERM stops it cleanly.
 */
import { startPlatform } from './platform.js';

const t0 = Date.now();
const platform = await startPlatform({
  onProgress: (step, ms) => process.stderr.write(`  ${step.padEnd(8)} ready after ${ms} ms\n`),
}).catch((error: Error & { code?: string }) => {
  const hint =
    error.code === 'EADDRINUSE'
      ? ` (another process uses the port: set PORT to a free one, e.g. PORT=3001 npm start)`
      : '';
  process.stderr.write(`modos failed to start: ${error.message}${hint}\n`);
  process.exit(1);
});

process.stdout.write(
  [
    '',
    `modos is running at ${platform.url}  (started in ${Date.now() - t0} ms, data in ${platform.dataDir})`,
    '',
    `  health:   curl ${platform.url}/health`,
    `  openapi:  curl ${platform.url}/api/v1/openapi.json`,
    '  token:    TOKEN=$(npm run -s token -- --tenant acme --roles admin)',
    `  call:     curl -H "Authorization: Bearer $TOKEN" ${platform.url}/api/v1/entities`,
    `  events:   tail -f ${platform.dataDir}/events.jsonl`,
    `  emulators: dynamodb ${platform.dynamoEndpoint}  s3 ${platform.s3Endpoint}  eventbridge ${platform.busEndpoint}  stepfunctions ${platform.sfnEndpoint}`,
    '',
    'Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\n${signal}: stopping modos...\n`);
  await platform.stop();
  process.stderr.write('stopped.\n');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
