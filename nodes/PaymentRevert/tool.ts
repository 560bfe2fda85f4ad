/**
 * Payment Revert as an AI agent's tool (node version 2). n8n turns a node with `usableAsTool` into
 * "<name>Tool": the workflow node's type ends with "Tool" and its description's name too. The
 * author's editor and the run both read the node's own properties (n8n applies `usableAsTool`
 * replacements only to the editor's copy of the description, never at run time), so every tool
 * parameter here is a property shown with `'@tool': [true]`: the editor shows it, and the run fills
 * in its default, only for the tool.
 *
 * A write run by the tool changes nothing unless the author turned on "Let the Agent Write": it is
 * run as a Dry Run. The switch has no expression (`noDataExpression`), so no agent can fill it.
 */
import type { IDataObject, INode, INodeProperties } from 'n8n-workflow';

import { RevertFailure } from './errors';
import type { ItemInput, Operation } from './operations';
import type { Provider } from './providers';

/** The first node version with the tool behaviour; version 1 stays as 0.1.0 made it. */
export const TOOL_SINCE = 2;

export const AGENT_WRITE = 'agentCanWrite';
const SWITCH_NAME = 'Let the Agent Write';

/** The node runs as an agent's tool: n8n gives the tool node a type ending with "Tool". */
export function runsAsTool(node: INode): boolean {
	return node.typeVersion >= TOOL_SINCE && node.type.endsWith('Tool');
}

/** An operation that changes the invoice (a stopped run must name what it changed). */
const writes = (operation: Operation) => operation.changes !== undefined;

/** The tool's description per operation: what it changes, what it answers, how to check first. */
function toolText(operation: Operation, all: Operation[]): string {
	const status = all.find((o) => o.value === 'getStatus');
	const check = status ? ` Check the invoice first with a tool that does "${status.name}".` : '';
	const input = operation.perInvoice ? ' Input: invoiceId, the ID of one invoice.' : '';
	if (!writes(operation)) return `${operation.description}. Read only: changes nothing.${input}`;
	const outcome = operation.changes!.outcome;
	return (
		`${operation.description}. This CHANGES an accounting record at the provider.${input}` +
		` Answers the outcome (${outcome} when done, or already_… when there was nothing to do).` +
		` Unless the workflow author turned on "${SWITCH_NAME}", it changes nothing and answers a dry run (would_…).${check}`
	);
}

/** The $fromAI placeholder the agent fills with the Invoice ID, with a description of the provider's IDs. */
export function fromAiInvoiceId(provider: Provider): string {
	const description = `The ID of one ${provider.noun} in ${provider.name} (${provider.idHint}), e.g. ${provider.idExample}. Never an invoice number or an amount.`;
	return `={{ $fromAI('invoiceId', ${JSON.stringify(description)}, 'string') }}`;
}

/** The tool's own parameters, shown only when the node is used as a tool. */
export function toolProperties(operations: Operation[]): INodeProperties[] {
	const writing = operations.filter(writes).map((o) => o.value);
	return [
		{
			displayName: SWITCH_NAME,
			name: AGENT_WRITE,
			type: 'boolean',
			noDataExpression: true,
			default: false,
			description:
				'Whether the agent may change invoices. Off: a write run by the agent is a Dry Run (would_revert, would_mark_paid) and changes nothing. Only you can turn it on: the agent cannot.',
			displayOptions: { show: { '@tool': [true], operation: writing } },
		},
		...operations.map(
			(o): INodeProperties => ({
				displayName: 'Tool Description',
				name: 'toolDescription',
				type: 'string',
				typeOptions: { rows: 3 },
				default: toolText(o, operations),
				description: 'What the agent reads about this tool: what it changes and how to check first',
				displayOptions: { show: { '@tool': [true], operation: [o.value] } },
			}),
		),
	];
}

/** What a tool run does to an item: its input as the tool may act, its answer for the agent. */
export interface ToolRun {
	restrict(input: ItemInput): ItemInput;
	answer(json: IDataObject): IDataObject;
}

/**
 * The tool run, or undefined when the node does not run as a tool. The author's switch is read as
 * saved, never resolved: only a literal `true` allows writes, so no expression (a $fromAI the agent
 * fills, an item's field) can turn it on.
 */
export function toolRun(node: INode, operation: Operation): ToolRun | undefined {
	if (!runsAsTool(node)) return undefined;
	const refused = writes(operation) && node.parameters[AGENT_WRITE] !== true;
	const how = `Nothing was changed: this agent may not change invoices. The workflow author can allow it with "${SWITCH_NAME}" on the ${node.name} node.`;
	return {
		restrict: (input) => {
			// The vendor's raw invoice stays out of the agent's context, whatever the Output option says.
			const options = { ...input.options, output: 'simplified', ...(refused ? { dryRun: true } : {}) };
			if (refused && input.provider.endpoints.read === undefined) {
				const { name, noun } = input.provider;
				throw new RevertFailure(
					'invalid_input',
					`${name}: this agent may not change invoices, and ${name} documents no way to read a single ${noun}, so the tool cannot check ${noun} ${input.invoiceId} either; nothing was sent. The workflow author can allow writes with "${SWITCH_NAME}"`,
				);
			}
			return { ...input, options };
		},
		answer: (json) => (refused && String(json.outcome).startsWith('would_') ? { ...json, message: how } : json),
	};
}
