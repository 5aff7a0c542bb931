'use strict';
// Wire parity: create one project per parameter set, all in this one process, and report each
// project id (or the error the SDK raised). The sets arrive as JSON on stdin:
// [{"name": ..., "params": {...}}]. A media placeholder {"$media": <path>} becomes the file's
// bytes as a Node Buffer, or with "as": "blob" a Blob of the given "type".
const fs = require('fs');
const { closeSocket, createClient, emit, run } = require('./_harness.cjs');

function materialise(value) {
  if (Array.isArray(value)) return value.map(materialise);
  if (value && typeof value === 'object') {
    if (typeof value.$media === 'string') {
      const bytes = fs.readFileSync(value.$media);
      return value.as === 'blob' ? new Blob([bytes], { type: value.type || '' }) : bytes;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, materialise(v)]));
  }
  return value;
}

function describe(error) {
  const out = { name: error?.name ?? typeof error, message: String(error?.message ?? error) };
  if (error?.status !== undefined) out.status = error.status;
  return out;
}

run(async () => {
  const sets = JSON.parse(fs.readFileSync(0, 'utf8'));
  const sogni = await createClient();
  try {
    const created = [];
    // One at a time, so that every project's uploads and request are its own.
    for (const { name, params } of sets) {
      try {
        const project = await sogni.projects.create(materialise(params));
        created.push({ name, projectId: project.id });
      } catch (error) {
        created.push({ name, error: describe(error) });
      }
      emit({ event: 'created', ...created[created.length - 1] });
    }
    return created;
  } finally {
    // The last request must reach the fake before the process exits.
    await closeSocket(sogni);
    sogni.dispose();
  }
});
