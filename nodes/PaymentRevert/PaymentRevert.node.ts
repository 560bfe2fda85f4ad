import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeBaseDescription,
	INodeTypeDescription,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeConnectionTypes, VersionedNodeType } from 'n8n-workflow';

import { describeVersion } from './description';
import { executePaymentRevert } from './execute';
import { searchInvoices } from './listSearch';
import { TOOL_SINCE } from './tool';

/**
 * The tool's entry in the editor's node list. n8n applies replacements to the editor's copy of the
 * description only, not at run time: the tool's parameters are the node's own (see tool.ts).
 */
const TOOL: INodeTypeDescription['usableAsTool'] = {
	replacements: {
		description:
			'Let an AI agent check invoices (payment status) and, only if you allow it with "Let the Agent Write", revert or record payments; otherwise the agent gets a dry run',
	},
};

/**
 * One full node version: its parameters, credentials and subtitle come from the registries (see
 * description.ts), so a version differs only by what the registries give it (`since`). Typed as an
 * INodeType where it is registered below (the icon rule of the lint reads only literal descriptions).
 */
class PaymentRevertVersion {
	description: INodeTypeDescription;

	/** From version 2: the Invoice ID's list of paid invoices. */
	methods?: INodeType['methods'];

	constructor(base: INodeTypeBaseDescription, version: number) {
		this.description = {
			...base,
			icon: { light: 'file:../../icons/paymentRevert.svg', dark: 'file:../../icons/paymentRevert.dark.svg' },
			version,
			defaults: { name: 'Payment Revert' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			usableAsTool: version >= TOOL_SINCE ? TOOL : true,
			...describeVersion(version),
		};
		if (version >= 2) this.methods = { listSearch: { searchInvoices } };
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executePaymentRevert.call(this);
	}
}

/** Saved version-1 workflows keep version 1's parameters and behaviour; new nodes get version 2. */
export class PaymentRevert extends VersionedNodeType {
	constructor() {
		const base: INodeTypeBaseDescription = {
			displayName: 'Payment Revert',
			name: 'paymentRevert',
			group: ['transform'],
			description: 'Mark a paid invoice as unpaid again in Qonto, Contazen or Wethod (bounced transfers, chargebacks, wrong allocations)',
			defaultVersion: 2,
		};
		const version = (n: number): INodeType => new PaymentRevertVersion(base, n);
		const nodeVersions: IVersionedNodeType['nodeVersions'] = { 1: version(1), 2: version(2) };
		super(nodeVersions, base);
	}
}
