'use strict';
// Sogni platform tools through the official client: `chat.tools.execute` for each call in
// `calls`, then one `autoExecuteTools` completion per entry of `auto` (its `toolNames` pick the
// tool definitions from SogniTools.all). Reports every result and the tool history.
const sdk = require('@sogni-ai/sogni-client');
const { config, createClient, run } = require('./_harness.cjs');

function summary(result) {
  return {
    toolCallId: result.toolCallId,
    toolName: result.toolName,
    success: result.success,
    resultUrls: result.resultUrls,
    content: result.content,
    error: result.error ?? null
  };
}

run(async () => {
  const sogni = await createClient();
  try {
    const executed = [];
    for (const call of config.args.calls || []) {
      const progress = [];
      const result = await sogni.chat.tools.execute(call, {
        onProgress: (update) => progress.push(update.status)
      });
      executed.push({ ...summary(result), progress });
    }
    const auto = [];
    for (const { toolNames, ...params } of config.args.auto || []) {
      const tools = sdk.SogniTools.all.filter((t) => toolNames.includes(t.function.name));
      const reply = await sogni.chat.completions.create({ ...params, tools, autoExecuteTools: true });
      auto.push({
        content: reply.content,
        finishReason: reply.finishReason,
        toolHistory: (reply.toolHistory || []).map((entry) => ({
          round: entry.round,
          calls: entry.toolCalls.map((c) => ({ name: c.function.name, arguments: c.function.arguments })),
          results: entry.toolResults.map(summary)
        }))
      });
    }
    return { executed, auto };
  } finally {
    sogni.dispose();
  }
});
