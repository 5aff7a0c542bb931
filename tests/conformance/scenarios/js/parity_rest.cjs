'use strict';
// Wire parity for the REST calls of hosted chat and durable runs: run one call per row, all in
// this process, and report each row's run id (or the error the SDK raised). Rows arrive as
// JSON on stdin: [{"name", "kind", "params"}]. `kind` is hosted.create, hosted.executeTool,
// runs.create, runs.confirmCost ({create, confirm}: the preview is read from the paused run),
// runs.cancel ({create, reason}) or runs.streamEvents ({create, lastEventId}: read to the end
// of a finished run).
const fs = require('fs');
const { createClient, emit, run } = require('./_harness.cjs');

const TERMINAL = new Set(['run_completed', 'run_failed', 'run_cancelled', 'run_partial_failure']);

function describe(error) {
  return { name: error?.name ?? typeof error, message: String(error?.message ?? error) };
}

async function waitFor(sogni, runId, accept) {
  for (let i = 0; i < 400; i++) {
    const record = await sogni.chat.runs.get(runId);
    if (accept(record)) return record;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`run ${runId} did not get there`);
}

async function perform(sogni, kind, params) {
  switch (kind) {
    case 'hosted.create':
      await sogni.chat.hosted.create(params);
      return {};
    case 'hosted.executeTool':
      await sogni.chat.hosted.executeTool(params);
      return {};
    case 'runs.create':
      return { runId: (await sogni.chat.runs.create(params)).runId };
    case 'runs.confirmCost': {
      const { runId } = await sogni.chat.runs.create(params.create);
      const paused = await waitFor(sogni, runId, (r) => r.status === 'waiting_for_user');
      const details = paused.waiting.details;
      const confirm = { toolCallId: details.toolCallId, ...params.confirm };
      if (confirm.decision === 'confirm') confirm.acceptedCostPreview = details.costApprovalPreview;
      await sogni.chat.runs.confirmCost(runId, confirm);
      return { runId };
    }
    case 'runs.cancel': {
      const { runId } = await sogni.chat.runs.create(params.create);
      await sogni.chat.runs.cancel(runId, params.reason);
      return { runId };
    }
    case 'runs.streamEvents': {
      const { runId } = await sogni.chat.runs.create(params.create);
      await waitFor(sogni, runId, (r) => TERMINAL.has(r.events[r.events.length - 1]?.type));
      for await (const event of sogni.chat.runs.streamEvents(runId, { lastEventId: params.lastEventId })) {
        if (TERMINAL.has(event.type)) break;
      }
      return { runId };
    }
    default:
      throw new Error(`unknown row kind ${kind}`);
  }
}

run(async () => {
  const rows = JSON.parse(fs.readFileSync(0, 'utf8'));
  const sogni = await createClient();
  try {
    const done = [];
    for (const { name, kind, params } of rows) {
      try {
        done.push({ name, ...(await perform(sogni, kind, params)) });
      } catch (error) {
        done.push({ name, error: describe(error) });
      }
      emit({ event: 'sent', ...done[done.length - 1] });
    }
    return done;
  } finally {
    sogni.dispose();
  }
});
