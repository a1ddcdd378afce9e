// One local Lambda sandbox: a worker thread with its own environment (only the function's bindings) and
// heap limit (the function's memory), that loads one handler module (the function's esbuild bundle) and
// runs one invocation at a time, as a Lambda execution environment does. Plain JavaScript so that it
// runs without a TypeScript loader, exactly as the bundle runs in AWS.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const { module, functionName, memoryMb, functionArn } = workerData;

/** Lambda hands back JSON: what the handler returns goes through JSON, as the runtime serializes it. */
const serializeError = (error) => ({
  name: typeof error?.name === 'string' && error.name ? error.name : 'Error',
  message: typeof error?.message === 'string' ? error.message : String(error),
  stack: typeof error?.stack === 'string' ? error.stack : undefined,
});

let handler;
const t0 = performance.now();
try {
  const mod = await import(pathToFileURL(module).href);
  handler = mod.handler;
  if (typeof handler !== 'function')
    throw Object.assign(new Error(`${module} does not export a handler function`), { name: 'Runtime.HandlerNotFound' });
  parentPort.postMessage({ type: 'ready', initMs: performance.now() - t0 });
} catch (error) {
  parentPort.postMessage({ type: 'init-error', error: serializeError(error) });
}

parentPort.on('message', async (message) => {
  if (message.type !== 'invoke') return;
  const { id, payload, requestId, deadline } = message;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const result = await handler(JSON.parse(payload), context);
    parentPort.postMessage({
      type: 'result',
      id,
      ok: true,
      payload: result === undefined ? 'null' : JSON.stringify(result),
    });
  } catch (error) {
    parentPort.postMessage({ type: 'result', id, ok: false, error: serializeError(error) });
  }
});
