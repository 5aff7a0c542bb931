'use strict';
// Wire parity for platform tools: run one `chat.tools.execute` per row, all in this process, and
// report each result (or the error the SDK raised). Rows arrive as JSON on stdin:
// [{"name": ..., "call": {id, type, function: {name, arguments}}, "options": {...}}]. Each call
// waits for its project, so every project's uploads and request are its own.
const fs = require('fs');
const { createClient, emit, run } = require('./_harness.cjs');

function describe(error) {
  return { name: error?.name ?? typeof error, message: String(error?.message ?? error) };
}

run(async () => {
  const rows = JSON.parse(fs.readFileSync(0, 'utf8'));
  const sogni = await createClient();
  try {
    const done = [];
    for (const { name, call, options } of rows) {
      try {
        const result = await sogni.chat.tools.execute(call, options || {});
        done.push({
          name,
          success: result.success,
          error: result.error ?? null,
          resultUrls: result.resultUrls,
          content: result.content
        });
      } catch (error) {
        done.push({ name, thrown: describe(error) });
      }
      emit({ event: 'executed', ...done[done.length - 1] });
    }
    return done;
  } finally {
    sogni.dispose();
  }
});
