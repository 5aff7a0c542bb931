'use strict';
// A video or audio project through the official client: create it, wait for it, download every
// result through the job's own API.
const { config, createClient, emit, run } = require('./_harness.cjs');

run(async () => {
  const sogni = await createClient();
  try {
    const project = await sogni.projects.create(config.args.params);
    emit({ event: 'created', projectId: project.id });
    const resultUrls = await project.waitForCompletion();
    const results = [];
    for (const job of project.jobs) {
      const blob = await job.getResultData();
      results.push(Buffer.from(await blob.arrayBuffer()).toString('base64'));
    }
    return { projectId: project.id, status: project.status, resultUrls, results };
  } finally {
    sogni.dispose();
  }
});
