'use strict';
// Plumbing shared by the JavaScript scenarios: settings from the environment, the JSON-lines
// output protocol (see tests/conformance/README.md), and a deadline that always ends the process.
// The official SDK is found through NODE_PATH, which the test runner points at the oracle's
// node_modules.

const sdk = require('@sogni-ai/sogni-client');

function setting(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set; scenarios are started by tests/conformance/conftest.py`);
  }
  return value;
}

const config = {
  appId: setting('SOGNI_APP_ID'),
  apiKey: setting('SOGNI_API_KEY'),
  restEndpoint: setting('SOGNI_REST_ENDPOINT'),
  socketEndpoint: setting('SOGNI_SOCKET_ENDPOINT'),
  args: JSON.parse(process.env.SOGNI_SCENARIO_ARGS || '{}')
};

// The SDK's default logger prints info and debug to stdout, which carries the protocol.
const logger = {
  error: (...args) => console.error('[sdk error]', ...args),
  warn: (...args) => console.error('[sdk warn]', ...args),
  info: (...args) => console.error('[sdk info]', ...args),
  debug: (...args) => console.error('[sdk debug]', ...args)
};

function emit(record) {
  process.stdout.write(JSON.stringify(record) + '\n');
}

/** Create a client for the fake with the public endpoint overrides. */
function createClient(options = {}) {
  return sdk.SogniClient.createInstance({
    appId: config.appId,
    apiKey: config.apiKey,
    restEndpoint: config.restEndpoint,
    socketEndpoint: config.socketEndpoint,
    logger,
    ...options
  });
}

/** Resolve with the next `event` payload of `emitter` that satisfies `accept`. */
function nextEvent(emitter, event, timeoutMs, accept = () => true) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = emitter.on(event, (payload) => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/**
 * Close the client's socket with a closing handshake and wait for it to finish (at most
 * `timeoutMs`). Frames sent before it are then on the wire: `dispose()` alone may leave the
 * last ones in the socket's buffers (or still being compressed) when the process exits.
 */
function closeSocket(sogni, timeoutMs = 5000) {
  const socket = sogni.apiClient.socket;
  if (!socket.isConnected) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const off = socket.on('disconnected', done);
    function done() {
      clearTimeout(timer);
      off();
      resolve();
    }
    socket.disconnect();
  });
}

function describeError(error) {
  const out = { name: error?.name ?? typeof error, message: String(error?.message ?? error) };
  if (error?.status !== undefined) out.status = error.status;
  if (error?.payload !== undefined) out.payload = error.payload;
  if (error?.stack) out.stack = String(error.stack);
  return out;
}

let finished = false;

function finish(code, record) {
  if (finished) return; // only one final line
  finished = true;
  process.stdout.write(JSON.stringify(record) + '\n', () => process.exit(code));
}

/**
 * Run `main` and print its value as the final line `{"result": ...}` (exit 0), or
 * `{"error": ...}` (exit 1). A scenario that outlives SOGNI_SCENARIO_DEADLINE_MS ends with exit 2.
 */
function run(main) {
  // A rejection nobody awaits (the SDK starts some requests on its own) would otherwise end
  // the process without a final line.
  process.on('unhandledRejection', (error) => finish(1, { error: describeError(error) }));
  process.on('uncaughtException', (error) => finish(1, { error: describeError(error) }));
  const deadlineMs = Number(process.env.SOGNI_SCENARIO_DEADLINE_MS || 30000);
  setTimeout(() => {
    finish(2, { error: { name: 'ScenarioDeadline', message: `still running after ${deadlineMs} ms` } });
  }, deadlineMs).unref();
  Promise.resolve()
    .then(main)
    .then(
      (result) => finish(0, { result: result ?? null }),
      (error) => finish(1, { error: describeError(error) })
    );
}

module.exports = { sdk, config, logger, emit, createClient, closeSocket, nextEvent, run };
