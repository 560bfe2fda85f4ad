'use strict';
/** Workflows the e2e suites build around the node. */
const { NODE_TYPE } = require('../../scripts/lib/n8n');
const { CREDENTIAL_IDS } = require('../../scripts/lib/demo-data');

/**
 * Manual Trigger -> one item per invoice ID -> Payment Revert, with "On Error" and two NoOp nodes
 * on the node's outputs so the routing of a real n8n is what is checked.
 */
function workflow({ id, provider, authentication, credential, ids, options = {}, onError }) {
	const parameters = { provider, ...(authentication ? { authentication } : {}), operation: 'revertPayment', invoiceId: '={{ $json.invoiceId }}', options };
	const node = { id: `${id}-pr`, name: 'Payment Revert', type: NODE_TYPE, typeVersion: 1, position: [660, 0], parameters, credentials: { [credential.type]: { id: credential.id, name: credential.type } } };
	if (onError) node.onError = onError;
	const outputs = [[{ node: 'Reverted', type: 'main', index: 0 }]];
	if (onError === 'continueErrorOutput') outputs.push([{ node: 'Failed', type: 'main', index: 0 }]);
	return {
		id,
		name: `e2e ${id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: `${id}-t`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: `${id}-s`, name: 'Invoices', type: 'n8n-nodes-base.set', typeVersion: 3.4, position: [220, 0], parameters: { mode: 'raw', jsonOutput: JSON.stringify({ invoices: ids.map((invoiceId) => ({ invoiceId })) }), options: {} } },
			{ id: `${id}-o`, name: 'Split', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [440, 0], parameters: { fieldToSplitOut: 'invoices', options: {} } },
			node,
			{ id: `${id}-r`, name: 'Reverted', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [900, -100], parameters: {} },
			{ id: `${id}-f`, name: 'Failed', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [900, 100], parameters: {} },
		],
		connections: {
			Start: { main: [[{ node: 'Invoices', type: 'main', index: 0 }]] },
			Invoices: { main: [[{ node: 'Split', type: 'main', index: 0 }]] },
			Split: { main: [[{ node: 'Payment Revert', type: 'main', index: 0 }]] },
			'Payment Revert': { main: outputs },
		},
	};
}

const cred = (type, id = CREDENTIAL_IDS[type]) => ({ type, id });

module.exports = { workflow, cred };
