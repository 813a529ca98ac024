// Drives a Sluice server with the official `openai` npm package; prints one JSON object of results.
// Used by NodeOpenAiClientTest (which installs the package into target/npm).
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.SLUICE_URL, apiKey: process.env.SLUICE_KEY, maxRetries: 0 });
const out = {};

const completion = await client.completions.create({ model: 'stories', prompt: 'Once upon a time', max_tokens: 12, temperature: 0 });
out.completionText = completion.choices[0].text;
out.completionFinish = completion.choices[0].finish_reason;
out.completionTokens = completion.usage.completion_tokens;

const chat = await client.chat.completions.create({
  model: 'stories', messages: [{ role: 'user', content: 'Tell me a story.' }], max_tokens: 12, temperature: 0,
});
out.chatText = chat.choices[0].message.content;
out.chatRole = chat.choices[0].message.role;

const stream = await client.chat.completions.create({
  model: 'stories', messages: [{ role: 'user', content: 'Tell me a story.' }], max_tokens: 12, temperature: 0,
  stream: true, stream_options: { include_usage: true },
});
let streamed = '';
let streamFinish = null;
let streamUsage = null;
for await (const chunk of stream) {
  for (const choice of chunk.choices) {
    streamed += choice.delta?.content ?? '';
    if (choice.finish_reason) streamFinish = choice.finish_reason;
  }
  if (chunk.usage) streamUsage = chunk.usage.completion_tokens;
}
out.streamText = streamed;
out.streamFinish = streamFinish;
out.streamUsage = streamUsage;

try {
  await client.completions.create({ model: 'stories', prompt: 'x', top_p: 7 });
  out.errorStatus = 0;
} catch (e) {
  out.errorStatus = e.status;
  out.errorParam = e.param ?? e.error?.param ?? null;
  out.errorIsBadRequest = e instanceof OpenAI.BadRequestError;
}

const models = await client.models.list();
out.models = models.data.map((m) => m.id);

console.log(JSON.stringify(out));
