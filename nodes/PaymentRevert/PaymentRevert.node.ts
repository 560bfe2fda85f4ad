import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { describeVersion } from './description';
import { executePaymentRevert } from './execute';

/** Version 1's parameters, credentials and subtitle, from the registries (see description.ts). */
const { credentials, properties, subtitle } = describeVersion(1);

export class PaymentRevert implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Payment Revert',
		name: 'paymentRevert',
		icon: { light: 'file:../../icons/paymentRevert.svg', dark: 'file:../../icons/paymentRevert.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle,
		description: 'Mark a paid invoice as unpaid again in Qonto, Contazen or Wethod (bounced transfers, chargebacks, wrong allocations)',
		defaults: { name: 'Payment Revert' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials,
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executePaymentRevert.call(this);
	}
}
