'use strict';
// Wire parity, one parameter set at a time: each line on stdin is {"seq": n, "params": {...}};
// the project is created and {"event": "created", "seq": n, "projectId": ...} (or "error")
// printed before the next line is read. Ends when stdin closes. A media placeholder
// {"$media": <path>} becomes the file's bytes as a Node Buffer, or with "as": "blob" a Blob.
const fs = require('fs');
const readline = require('readline');
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
  const sogni = await createClient();
  let count = 0;
  try {
    emit({ event: 'READY' });
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      const { seq, params } = JSON.parse(line);
      try {
        const project = await sogni.projects.create(materialise(params));
        emit({ event: 'created', seq, projectId: project.id });
      } catch (error) {
        emit({ event: 'created', seq, error: describe(error) });
      }
      count += 1;
    }
    return { count };
  } finally {
    // The last request must reach the fake before the process exits.
    await closeSocket(sogni);
    sogni.dispose();
  }
});
