'use strict';
// Durable chat runs through the official client:
// 1. `runs.create` + `streamEvents` to the terminal event, printing READY after the event with
//    sequence 3 so that the test can cut the stream; a cut stream is resumed with `lastEventId`
//    (the SDK does not resume by itself);
// 2. a run that pauses for cost approval: `runs.get` until it waits, `runs.confirmCost` with
//    the preview it carries, then the stream to the end;
// 3. `runs.cancel` of a fresh run, then its stream to `run_cancelled`.
const { config, createClient, emit, run } = require('./_harness.cjs');

const TERMINAL = new Set(['run_completed', 'run_failed', 'run_cancelled', 'run_partial_failure']);

async function follow(sogni, runId, onEvent = () => {}) {
  const events = [];
  const resumedFrom = [];
  let last;
  for (let attempt = 0; attempt < 10; attempt++) {
    resumedFrom.push(last ?? null);
    try {
      const options = last === undefined ? {} : { lastEventId: last };
      for await (const event of sogni.chat.runs.streamEvents(runId, options)) {
        events.push({ sequence: event.sequence, type: event.type });
        last = event.sequence;
        onEvent(event);
        if (TERMINAL.has(event.type)) return { events, resumedFrom };
      }
    } catch (error) {
      console.error('stream interrupted:', String(error?.message ?? error));
    }
  }
  throw new Error(`run ${runId} never reached its terminal event`);
}

async function waitForStatus(sogni, runId, status) {
  for (let i = 0; i < 400; i++) {
    const record = await sogni.chat.runs.get(runId);
    if (record.status === status) return record;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`run ${runId} never reached ${status}`);
}

function user(content) {
  return [{ role: 'user', content }];
}

run(async () => {
  const sogni = await createClient();
  try {
    const plain = await sogni.chat.runs.create({
      model: config.args.model,
      messages: user(config.args.plainPrompt),
      idempotencyKey: `plain-${config.appId}`
    });
    let announced = false;
    const streamed = await follow(sogni, plain.runId, (event) => {
      if (event.sequence === 3 && !announced) {
        announced = true;
        emit({ event: 'READY', runId: plain.runId });
      }
    });

    const paid = await sogni.chat.runs.create({
      messages: user(config.args.paidPrompt),
      runtimeConfig: { requireJobConfirmation: true }
    });
    const waiting = await waitForStatus(sogni, paid.runId, 'waiting_for_user');
    const details = waiting.waiting.details;
    const confirmed = await sogni.chat.runs.confirmCost(paid.runId, {
      toolCallId: details.toolCallId,
      decision: 'confirm',
      acceptedCostPreview: details.costApprovalPreview,
      idempotencyKey: `confirm-${details.toolCallId}`
    });
    const paidStream = await follow(sogni, paid.runId);
    const paidFinal = await sogni.chat.runs.get(paid.runId);

    const doomed = await sogni.chat.runs.create({ messages: user(config.args.plainPrompt) });
    const cancelled = await sogni.chat.runs.cancel(doomed.runId, 'conformance check');
    const doomedStream = await follow(sogni, doomed.runId);

    return {
      plain: { runId: plain.runId, status: plain.status, ...streamed },
      paid: {
        runId: paid.runId,
        waitingReason: waiting.waiting.reason,
        preview: details.costApprovalPreview,
        confirmedStatus: confirmed.status,
        finalStatus: paidFinal.status,
        artifacts: paidFinal.artifacts,
        ...paidStream
      },
      cancelled: {
        runId: doomed.runId,
        status: cancelled.status,
        reason: cancelled.cancellationReason,
        ...doomedStream
      }
    };
  } finally {
    sogni.dispose();
  }
});
