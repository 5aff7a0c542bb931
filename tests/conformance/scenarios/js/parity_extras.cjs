'use strict';
// Wire parity for the REST calls of replay, stats, announcements and the models of a network:
// run one call per row, all in this process, and report each row (or the error the SDK
// raised). Rows arrive as JSON on stdin: [{"name", "kind", "params"}].
const fs = require('fs');
const { createClient, emit, run } = require('./_harness.cjs');

function describe(error) {
  return { name: error?.name ?? typeof error, message: String(error?.message ?? error) };
}

async function perform(sogni, kind, params) {
  switch (kind) {
    case 'replay.write':
      return sogni.replay.write(params.record);
    case 'replay.list':
      return sogni.replay.list(params);
    case 'replay.get':
      return sogni.replay.get(params.runId);
    case 'stats.leaderboard':
      return sogni.stats.leaderboard(params);
    case 'announcements.active':
      return sogni.announcements.active(params.platform);
    case 'announcements.dismiss':
      return sogni.announcements.dismiss(params.id);
    case 'projects.getAvailableModels':
      return sogni.projects.getAvailableModels(params.network);
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
        await perform(sogni, kind, params);
        done.push({ name });
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
