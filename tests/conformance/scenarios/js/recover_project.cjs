'use strict';
// Create a project and follow it to completion while the test breaks the connection under it
// (an abrupt drop, or a server restart that refuses the request with 1001). The client must
// recover on its own; the script then downloads every result.
const { config, createClient, emit, run } = require('./_harness.cjs');

run(async () => {
  const sogni = await createClient();
  try {
    const project = await sogni.projects.create({ type: 'image', ...config.args.params });
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
