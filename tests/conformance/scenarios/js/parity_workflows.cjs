'use strict';
// Wire parity for the REST calls of creative workflows and their templates: run one call per
// row, all in this process, and report each row's workflow id and template id (or the error
// the SDK raised). Rows arrive as JSON on stdin: [{"name", "kind", "params"}]. A row that acts
// on a workflow or a template first makes one (`create`, not compared), then makes its call.
const fs = require('fs');
const { createClient, emit, run } = require('./_harness.cjs');

const FINAL = new Set(['completed', 'partial_failure', 'failed', 'cancelled']);

function describe(error) {
  return { name: error?.name ?? typeof error, message: String(error?.message ?? error) };
}

async function waitFor(sogni, workflowId, accept) {
  for (let i = 0; i < 400; i++) {
    const record = await sogni.workflows.get(workflowId);
    if (accept(record.status)) return record;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`workflow ${workflowId} did not get there`);
}

async function perform(sogni, kind, params) {
  const workflows = sogni.workflows;
  const templates = sogni.workflows.templates;
  switch (kind) {
    case 'workflows.start':
      return { workflowId: (await workflows.start(params)).workflowId };
    case 'workflows.startTemplate': {
      const template = await templates.create(params.template);
      const started = await workflows.start({ workflowId: template.id, ...params.start });
      return { workflowId: started.workflowId, templateId: template.id };
    }
    case 'workflows.resume': {
      const { workflowId } = await workflows.start(params.create);
      await waitFor(sogni, workflowId, (s) => s === 'waiting_for_user');
      await workflows.resume(workflowId, params.resume);
      return { workflowId };
    }
    case 'workflows.reseed': {
      const { workflowId } = await workflows.start(params.create);
      await waitFor(sogni, workflowId, (s) => s === 'completed');
      await workflows.reseed(workflowId, params.reseed);
      return { workflowId };
    }
    case 'workflows.cancel': {
      const { workflowId } = await workflows.start(params.create);
      await workflows.cancel(workflowId);
      return { workflowId };
    }
    case 'workflows.list':
      await workflows.list(params);
      return {};
    case 'workflows.events': {
      const { workflowId } = await workflows.start(params.create);
      await workflows.events(workflowId);
      return { workflowId };
    }
    case 'workflows.streamEvents': {
      const { workflowId } = await workflows.start(params.create);
      await waitFor(sogni, workflowId, (s) => FINAL.has(s));
      // The fake closes the stream after the final event, so this loop ends by itself.
      for await (const frame of workflows.streamEvents(workflowId, params.options)) void frame;
      return { workflowId };
    }
    case 'templates.create':
      return { templateId: (await templates.create(params)).id };
    case 'templates.get': {
      const { id } = await templates.create(params.create);
      await templates.get(id);
      return { templateId: id };
    }
    case 'templates.update': {
      const { id } = await templates.create(params.create);
      await templates.update(id, params.patch);
      return { templateId: id };
    }
    case 'templates.fork': {
      const { id } = await templates.create(params.create);
      if (params.fork === undefined) await templates.fork(id);
      else await templates.fork(id, params.fork);
      return { templateId: id };
    }
    case 'templates.delete': {
      const { id } = await templates.create(params.create);
      await templates.delete(id);
      return { templateId: id };
    }
    case 'templates.list':
      await templates.list(params);
      return {};
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
