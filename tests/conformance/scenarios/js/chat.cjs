'use strict';
// Socket chat through the official client: one or two rounds. With `toolResult`, a reply that
// calls tools gets a `tool` message per call and a second round.
const { config, createClient, run } = require('./_harness.cjs');

async function complete(sogni, params) {
  const reply = await sogni.chat.completions.create(params);
  if (!params.stream) {
    return { chunks: null, content: reply.content, finishReason: reply.finishReason, toolCalls: reply.tool_calls || [] };
  }
  const chunks = [];
  for await (const chunk of reply) {
    chunks.push(chunk.content || '');
  }
  const result = reply.finalResult;
  return { chunks, content: result.content, finishReason: result.finishReason, toolCalls: result.tool_calls || [] };
}

run(async () => {
  const sogni = await createClient();
  try {
    const params = config.args.params;
    const rounds = [await complete(sogni, params)];
    const calls = rounds[0].toolCalls;
    if (config.args.toolResult && calls.length) {
      const messages = [
        ...params.messages,
        { role: 'assistant', content: rounds[0].content || null, tool_calls: calls },
        ...calls.map((call) => ({ role: 'tool', tool_call_id: call.id, content: config.args.toolResult }))
      ];
      rounds.push(await complete(sogni, { ...params, messages }));
    }
    return { rounds };
  } finally {
    sogni.dispose();
  }
});
