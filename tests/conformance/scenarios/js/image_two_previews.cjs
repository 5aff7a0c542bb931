'use strict';
// A two-image project with one preview per image: follow it to completion, collect the preview
// and result URLs the client minted, and download every result through the job's own API.
const { config, createClient, emit, run } = require('./_harness.cjs');

function waitFor(check, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

run(async () => {
  const sogni = await createClient();
  try {
    const previews = [];
    // Preview URLs are minted by a REST call after the progress frame, so they can arrive
    // after the project completed.
    sogni.projects.on('job', (event) => {
      if (event.type === 'preview') {
        previews.push({ projectId: event.projectId, jobId: event.jobId, url: event.url });
      }
    });
    const project = await sogni.projects.create({ type: 'image', ...config.args.params });
    emit({ event: 'created', projectId: project.id });
    const resultUrls = await project.waitForCompletion();
    const jobCount = project.jobs.length;
    await waitFor(() => previews.length >= jobCount, 10000, 'the preview URLs');

    const jobs = [];
    for (const job of project.jobs) {
      const blob = await job.getResultData();
      const data = Buffer.from(await blob.arrayBuffer());
      jobs.push({
        id: job.id,
        jobIndex: job.jobIndex,
        seed: job.seed,
        status: job.status,
        previewUrl: job.previewUrl ?? null,
        resultUrl: job.resultUrl,
        result: data.toString('base64')
      });
    }
    return {
      projectId: project.id,
      status: project.status,
      progress: project.progress,
      resultUrls,
      previews,
      jobs
    };
  } finally {
    sogni.dispose();
  }
});
