'use strict';
// Cancel a project the fake is holding (queued behind paused workers, or rendered with its
// result held back): the client sends the artist cancel, waits for the server's confirmation and
// reports the project canceled. `ARGS.cancelAfter` says when to cancel: "queued" (once the
// status says so) or "progress" (at the first progress above 0).
const { config, createClient, emit, nextEvent, run } = require('./_harness.cjs');

run(async () => {
  const sogni = await createClient();
  try {
    const socket = sogni.apiClient.socket;
    const confirmations = [];
    socket.on('artistCancelConfirmation', (payload) => confirmations.push(payload));
    const events = [];
    const project = await sogni.projects.create({ type: 'image', ...config.args.params });
    for (const name of ['jobStarted', 'completed', 'failed']) {
      project.on(name, () => events.push(name));
    }
    const outcome = project.waitForCompletion().then(
      (urls) => ({ settled: 'completed', urls }),
      (error) => ({ settled: 'rejected', error: { code: error.code, message: error.message } })
    );
    emit({ event: 'created', projectId: project.id });
    if (config.args.cancelAfter === 'queued' && project.status !== 'queued') {
      await nextEvent(project, 'updated', 10000, () => project.status === 'queued');
    } else if (config.args.cancelAfter === 'progress') {
      await nextEvent(project, 'progress', 10000, (progress) => progress > 0);
    }
    const statusBefore = project.status;
    await project.cancel();
    return {
      projectId: project.id,
      statusBefore,
      status: project.status,
      finished: project.finished,
      jobStatuses: project.jobs.map((job) => job.status),
      outcome: await outcome,
      confirmations,
      events
    };
  } finally {
    sogni.dispose();
  }
});
