'use strict';
// Creative workflows through the official client: an inline plan of three steps (image, a
// video from it, music) followed with `streamEvents` to the terminal frame; a long plan
// cancelled mid-run and streamed to its end; templates create, get, fork and delete.
const { config, createClient, run } = require('./_harness.cjs');

async function follow(sogni, workflowId) {
  const frames = [];
  for await (const frame of sogni.workflows.streamEvents(workflowId)) {
    if (frame.data && typeof frame.data === 'object') {
      frames.push({ id: frame.id, event: frame.event, status: frame.data.status });
    }
  }
  return frames;
}

run(async () => {
  const sogni = await createClient();
  try {
    const started = await sogni.workflows.start({
      input: config.args.plan,
      tokenType: 'spark',
      idempotencyKey: `plan-${config.appId}`
    });
    const frames = await follow(sogni, started.workflowId);
    const finished = await sogni.workflows.get(started.workflowId);

    const long = await sogni.workflows.start({ input: config.args.longPlan });
    const cancelled = await sogni.workflows.cancel(long.workflowId);
    const cancelFrames = await follow(sogni, long.workflowId);

    const template = await sogni.workflows.templates.create(config.args.template);
    const read = await sogni.workflows.templates.get(template.id);
    const fork = await sogni.workflows.templates.fork(template.id, { newName: 'Forked' });
    await sogni.workflows.templates.delete(fork.id);
    const listed = await sogni.workflows.templates.list({ visibility: 'own' });
    return {
      started: { workflowId: started.workflowId, status: started.status },
      frames,
      finished: { status: finished.status, artifacts: finished.artifacts },
      cancelled: { workflowId: long.workflowId, status: cancelled.status },
      cancelFrames,
      template: { id: template.id, name: read.name },
      fork: { id: fork.id, name: fork.name },
      listed: listed.templates.map((t) => t.id)
    };
  } finally {
    sogni.dispose();
  }
});
