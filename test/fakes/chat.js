'use strict';
/**
 * A local fake of OpenAI's chat-completions API (POST /v1/chat/completions) on loopback, for an AI
 * Agent's OpenAI Chat Model: a model that calls a tool once and then answers. Its first answer in a
 * conversation is a tool call to the offered tool whose name matches `toolPattern`, with the
 * arguments of the fake's choosing; once the request carries that tool's result (a `tool` message),
 * it answers in words, quoting the result. Every request body is recorded (what the model was
 * given: the agent's whole context). Plain JSON, or server-sent events when the request streams.
 */
const http = require('node:http');

/**
 * @param {object} o
 * @param {object} o.args          the tool call's arguments (e.g. { invoiceId }); `choose` changes them
 * @param {RegExp} [o.toolPattern] which offered tool to call
 */
function startChatFake({ args, toolPattern = /payment_?revert/i }) {
	const requests = [];
	let chosen = args;
	let calls = 0;

	const answer = (body) => {
		const messages = Array.isArray(body.messages) ? body.messages : [];
		const result = messages.filter((m) => m.role === 'tool').pop();
		const model = body.model || 'fake-model';
		if (result) {
			const text = typeof result.content === 'string' ? result.content : JSON.stringify(result.content);
			return { model, message: { role: 'assistant', content: `The tool answered: ${text}` }, finish: 'stop' };
		}
		const tool = (body.tools || []).map((t) => t.function && t.function.name).find((name) => name && toolPattern.test(name));
		if (!tool) return { model, message: { role: 'assistant', content: 'No Payment Revert tool was offered.' }, finish: 'stop' };
		const call = { id: `call_${++calls}`, type: 'function', function: { name: tool, arguments: JSON.stringify(chosen) } };
		return { model, message: { role: 'assistant', content: null, tool_calls: [call] }, finish: 'tool_calls' };
	};

	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			if (req.method !== 'POST' || !req.url.replace(/\?.*$/, '').endsWith('/chat/completions')) {
				res.writeHead(404, { 'content-type': 'application/json' });
				return res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
			}
			let body;
			try {
				body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
			} catch {
				res.writeHead(400, { 'content-type': 'application/json' });
				return res.end(JSON.stringify({ error: { message: 'invalid JSON' } }));
			}
			requests.push({ headers: req.headers, body });
			const { model, message, finish } = answer(body);
			const id = `chatcmpl-${requests.length}`;
			const created = Math.floor(Date.now() / 1000);
			const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
			if (!body.stream) {
				res.writeHead(200, { 'content-type': 'application/json' });
				return res.end(JSON.stringify({ id, object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason: finish }], usage }));
			}
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			const send = (delta, finishReason) =>
				res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`);
			const delta = message.tool_calls
				? { role: 'assistant', content: null, tool_calls: message.tool_calls.map((c, index) => ({ index, ...c })) }
				: { role: 'assistant', content: message.content };
			send(delta, null);
			send({}, finish);
			res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
			res.end('data: [DONE]\n\n');
		});
	});

	return new Promise((resolve) => {
		server.listen(0, '127.0.0.1', () => {
			const url = `http://127.0.0.1:${server.address().port}/v1`;
			resolve({ url, requests, choose: (next) => (chosen = next), close: () => new Promise((r) => server.close(() => r())) });
		});
	});
}

module.exports = { startChatFake };
