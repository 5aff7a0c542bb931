'use strict';
// Hosted chat through the official client: `chat.hosted.create` with the Sogni tools run by
// the service (`sogni_tools`, `sogni_tool_execution`), then `chat.hosted.executeTool` of a
// composition tool. Reports what each returned.
const { config, createClient, run } = require('./_harness.cjs');

run(async () => {
  const sogni = await createClient();
  try {
    const completion = await sogni.chat.hosted.create({
      model: config.args.model,
      messages: [{ role: 'user', content: config.args.prompt }],
      sogni_tools: true,
      sogni_tool_execution: true
    });
    const tool = await sogni.chat.hosted.executeTool({
      tool: 'enhance_prompt',
      arguments: { prompt: config.args.enhance },
      tokenType: 'auto'
    });
    let streamError = null;
    try {
      await sogni.chat.hosted.create({ model: config.args.model, messages: [], stream: true });
    } catch (error) {
      streamError = String(error.message);
    }
    return { completion, tool, streamError };
  } finally {
    sogni.dispose();
  }
});
