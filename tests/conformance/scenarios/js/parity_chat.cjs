'use strict';
// Wire parity for chat: run one completion per parameter set, all in this process, and report
// each job id (or the error the SDK raised). Sets arrive as JSON on stdin:
// [{"name": ..., "params": {...}}]; streamed replies are read to the end.
const fs = require('fs');
const { createClient, emit, run } = require('./_harness.cjs');

function describe(error) {
  return { name: error?.name ?? typeof error, message: String(error?.message ?? error) };
}

run(async () => {
  const sets = JSON.parse(fs.readFileSync(0, 'utf8'));
  const sogni = await createClient();
  try {
    const sent = [];
    for (const { name, params } of sets) {
      try {
        const reply = await sogni.chat.completions.create(params);
        if (params.stream) {
          for await (const _chunk of reply) {
            // read to the end
          }
        }
        sent.push({ name, jobId: reply.jobID });
      } catch (error) {
        sent.push({ name, error: describe(error) });
      }
      emit({ event: 'sent', ...sent[sent.length - 1] });
    }
    return sent;
  } finally {
    sogni.dispose();
  }
});
