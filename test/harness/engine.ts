/**
 * Runs the Payment Revert node inside n8n-core's real WorkflowExecute: real parameter and
 * expression resolution, real httpRequestWithAuthentication (generic auth, OAuth2 signing and
 * refresh), real continueOnFail / error-output routing and pairedItem handling.
 * Only the parts that need a database are replaced: the credential store and the node-type map.
 */
import 'reflect-metadata';

import { Credentials, ExecutionLifecycleHooks, LoadOptionsContext, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeListSearchResult,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	INodeTypeDescription,
	IRun,
	IWorkflowExecuteAdditionalData,
	IVersionedNodeType,
	NodeExecutionHint,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import {
	createRunExecutionData,
	ICredentialsHelper,
	NodeConnectionTypes,
	NodeHelpers,
	Workflow,
} from 'n8n-workflow';

import { PaymentRevertContazenApi } from '../../credentials/PaymentRevertContazenApi.credentials';
import { PaymentRevertQontoApi } from '../../credentials/PaymentRevertQontoApi.credentials';
import { PaymentRevertQontoOAuth2Api } from '../../credentials/PaymentRevertQontoOAuth2Api.credentials';
import { PaymentRevertWethodApi } from '../../credentials/PaymentRevertWethodApi.credentials';
import { PaymentRevert } from '../../nodes/PaymentRevert/PaymentRevert.node';

export const NODE_TYPE = 'n8n-nodes-payment-revert.paymentRevert';
const SOURCE_TYPE = 'test.itemsSource';
export const NODE_NAME = 'Payment Revert';

/** The parent of every OAuth2 credential, with the properties requestOAuth2 reads. */
const oAuth2Api: ICredentialType = {
	name: 'oAuth2Api',
	displayName: 'OAuth2 API',
	properties: [
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'string', default: '' },
		{ displayName: 'Access Token URL', name: 'accessTokenUrl', type: 'string', default: '' },
		{ displayName: 'Client ID', name: 'clientId', type: 'string', default: '' },
		{ displayName: 'Client Secret', name: 'clientSecret', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Scope', name: 'scope', type: 'string', default: '' },
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'string', default: '' },
		{ displayName: 'Authentication', name: 'authentication', type: 'options', options: [{ name: 'Body', value: 'body' }, { name: 'Header', value: 'header' }], default: 'header' },
		{ displayName: 'Ignore SSL Issues', name: 'ignoreSSLIssues', type: 'boolean', default: false },
	],
};

export const credentialTypes: Record<string, ICredentialType> = {
	oAuth2Api,
	paymentRevertQontoOAuth2Api: new PaymentRevertQontoOAuth2Api(),
	paymentRevertQontoApi: new PaymentRevertQontoApi(),
	paymentRevertContazenApi: new PaymentRevertContazenApi(),
	paymentRevertWethodApi: new PaymentRevertWethodApi(),
};

/** Emits the items given in its parameters: stands in for whatever feeds the node. */
class ItemsSource implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Items Source',
		name: 'itemsSource',
		group: ['input'],
		version: 1,
		description: 'Test input',
		defaults: { name: 'Items Source' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = JSON.parse(this.getNodeParameter('items', 0) as string) as IDataObject[];
		return [items.map((json) => ({ json }))];
	}
}

/** The type n8n gives the node used as an AI agent's tool ("Payment Revert Tool"). */
export const TOOL_TYPE = `${NODE_TYPE}Tool`;

/**
 * The node as n8n's NodeTypes serves it for a tool type (n8n 2.x convertNodeToAiTool): its
 * description renamed "<name>Tool", which decides the '@tool' parameters. Its input and output
 * stay Main, so WorkflowExecute can feed it items: the agent's call itself is the e2e test's part.
 */
function asTool(type: INodeType): INodeType {
	const description = { ...type.description, name: `${type.description.name}Tool`, displayName: `${type.description.displayName} Tool` };
	return Object.create(type, { description: { value: description } }) as INodeType;
}

class NodeTypes implements INodeTypes {
	private readonly types: Record<string, INodeType | IVersionedNodeType> = {
		[NODE_TYPE]: new PaymentRevert(),
		[SOURCE_TYPE]: new ItemsSource(),
	};

	getByName(type: string): INodeType | IVersionedNodeType {
		return this.types[type === TOOL_TYPE ? NODE_TYPE : type];
	}

	getByNameAndVersion(type: string, version?: number): INodeType {
		if (type === TOOL_TYPE) return asTool(NodeHelpers.getVersionedNodeType(this.types[NODE_TYPE], version));
		return NodeHelpers.getVersionedNodeType(this.types[type], version);
	}

	getKnownTypes() {
		return Object.fromEntries([...Object.keys(this.types), TOOL_TYPE].map((k) => [k, { className: k, sourcePath: '' }]));
	}
}

export interface CredentialUpdate {
	id: string;
	type: string;
	data: ICredentialDataDecryptedObject;
}

/**
 * Saved credentials, as n8n's database holds them: each run reads them per request and sees the
 * others' updates (a refreshed OAuth2 token). Every store has its own credential ids, so runs with
 * separate stores share nothing (not the pace either, which belongs to the credential); runs
 * given the same store use the same credentials, like executions of one n8n process.
 */
export class CredentialStore {
	private static stores = 0;
	readonly records: Record<string, { type: string; data: ICredentialDataDecryptedObject }> = {};
	/** Every update of every run using this store. */
	readonly updates: CredentialUpdate[] = [];
	private readonly prefix = `cred-${++CredentialStore.stores}`;

	constructor(credentials: Record<string, ICredentialDataDecryptedObject> = {}) {
		for (const [type, data] of Object.entries(credentials)) this.records[this.idOf(type)] = { type, data };
	}

	idOf(type: string): string {
		return `${this.prefix}-${type}`;
	}
}

/** The CLI's CredentialsHelper without a database: same authenticate, defaults and $self resolution. */
class CredentialsHelper extends ICredentialsHelper {
	/** This run's updates. */
	readonly updates: CredentialUpdate[] = [];

	constructor(
		private readonly credentialStore: CredentialStore,
		private readonly nodeTypes: INodeTypes,
	) {
		super();
	}

	private get store() {
		return this.credentialStore.records;
	}

	getParentTypes(name: string): string[] {
		const type = credentialTypes[name];
		return (type?.extends ?? []).flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const type = credentialTypes[typeName];
		if (typeof type?.authenticate === 'function') return await type.authenticate(credentials, requestOptions);
		if (type?.authenticate?.type === 'generic' && workflow && node) {
			const resolve = (value: string) =>
				typeof value === 'string' && value.startsWith('=')
					? String(
							workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '') ?? '',
						)
					: value;
			for (const [outerKey, outer] of Object.entries(type.authenticate.properties)) {
				const target = ((requestOptions as unknown as Record<string, IDataObject>)[outerKey] ??= {});
				for (const [key, value] of Object.entries(outer as IDataObject)) target[resolve(key)] = resolve(value as string);
			}
		}
		return requestOptions;
	}

	async preAuthentication(): Promise<undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		return new Credentials({ id: nodeCredentials.id, name: nodeCredentials.name }, type, '');
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = credentialTypes[type];
		if (!credentialType) throw new Error(`Unknown credential type ${type}`);
		const combined: INodeProperties[] = [];
		for (const parent of credentialType.extends ?? []) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, credentialType.properties);
		return combined;
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = nodeCredentials.id ? this.store[nodeCredentials.id] : undefined;
		if (!stored || stored.type !== type) {
			throw new Error(`Credential with ID "${nodeCredentials.id}" does not exist for type "${type}".`);
		}
		const raw = structuredClone(stored.data);
		const withDefaults = NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			raw as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		if (raw.oauthTokenData !== undefined) withDefaults.oauthTokenData = raw.oauthTokenData;
		const mockNode: INode = { id: 'mock', name: 'mock', type: NODE_TYPE, typeVersion: 1, position: [0, 0], parameters: {} };
		const workflow = new Workflow({ nodes: [mockNode], connections: {}, active: false, nodeTypes: this.nodeTypes });
		return workflow.expression.getComplexParameterValue(
			mockNode,
			withDefaults as INodeParameters,
			mode,
			{},
			undefined,
			undefined,
			withDefaults,
		) as ICredentialDataDecryptedObject;
	}

	async updateCredentials(nodeCredentials: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject) {
		this.updates.push({ id: nodeCredentials.id ?? '', type, data });
		this.credentialStore.updates.push({ id: nodeCredentials.id ?? '', type, data });
		if (nodeCredentials.id) this.store[nodeCredentials.id] = { type, data };
	}

	/** Like the CLI (1.x and 2.x): only the token data is saved over the stored credential. */
	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	) {
		this.updates.push({ id: nodeCredentials.id ?? '', type, data });
		this.credentialStore.updates.push({ id: nodeCredentials.id ?? '', type, data });
		const stored = nodeCredentials.id ? this.store[nodeCredentials.id] : undefined;
		if (stored) stored.data = { ...stored.data, oauthTokenData: data.oauthTokenData };
	}
}

export interface RunOptions {
	parameters: INodeParameters;
	/** Credential data per credential type; the node gets the one its parameters ask for. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Saved credentials shared with other runs (instead of `credentials`). */
	store?: CredentialStore;
	items?: IDataObject[];
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	/** Payment Revert nodes in a row, each fed by the one before (default 1); results are the last one's. */
	nodes?: number;
	/** Run the node as "Payment Revert Tool" (its type ending with Tool, as n8n gives an agent's tool). */
	asTool?: boolean;
	/** The node version of the Payment Revert nodes (default 1, as saved by 0.1.0). */
	typeVersion?: number;
	/**
	 * Cancels the execution when this settles, as the editor's Stop button does: n8n aborts the
	 * execution's cancel signal and ends the run at once (status `canceled`); the node's work still
	 * in flight ends on its own afterwards.
	 */
	cancelWhen?: Promise<unknown>;
}

let executions = 0;

export interface RunResult {
	run: IRun;
	/** Output 0 of the node. */
	output: INodeExecutionData[];
	/** Output 1 (only with continueErrorOutput). */
	errorOutput: INodeExecutionData[];
	/** The workflow error, serialised the way n8n stores it. */
	error?: IDataObject;
	credentialUpdates: CredentialUpdate[];
	/** The execution hints n8n-core recorded for the node's run (its task data's `hints`; 1.x and 2.x alike). */
	hints: NodeExecutionHint[];
	/** Everything the run produced, as JSON text: outputs, errors, messages, descriptions. */
	everything: string;
}

function credentialTypeFor(parameters: INodeParameters): string {
	switch (parameters.provider) {
		case 'contazen':
			return 'paymentRevertContazenApi';
		case 'wethod':
			return 'paymentRevertWethodApi';
		default:
			return parameters.authentication === 'apiKey' ? 'paymentRevertQontoApi' : 'paymentRevertQontoOAuth2Api';
	}
}

export async function runNode(options: RunOptions): Promise<RunResult> {
	const nodeTypes = new NodeTypes();
	const store = options.store ?? new CredentialStore(options.credentials);
	const nodeCredentials: Record<string, { id: string; name: string }> = {};
	const wanted = credentialTypeFor(options.parameters);
	if (store.records[store.idOf(wanted)]) nodeCredentials[wanted] = { id: store.idOf(wanted), name: `Test ${wanted}` };

	const source: INode = {
		id: 'source',
		name: 'Items Source',
		type: SOURCE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(options.items ?? [{}]) },
	};
	const names = Array.from({ length: options.nodes ?? 1 }, (_, i) => (i === 0 ? NODE_NAME : `${NODE_NAME} ${i + 1}`));
	const nodes: INode[] = names.map((name, i) => ({
		id: `payment-revert-${i}`,
		name,
		type: options.asTool ? TOOL_TYPE : NODE_TYPE,
		typeVersion: options.typeVersion ?? 1,
		position: [200 * (i + 1), 0],
		parameters: options.parameters,
		credentials: nodeCredentials,
		...(options.onError ? { onError: options.onError } : {}),
	}));
	const chain = [source.name, ...names];
	const connections = Object.fromEntries(
		chain.slice(0, -1).map((from, i) => [from, { main: [[{ node: chain[i + 1], type: NodeConnectionTypes.Main, index: 0 }]] }]),
	);
	const workflowData = {
		id: 'wf-test',
		name: 'payment revert test',
		nodes: [source, ...nodes],
		connections,
		active: false,
		settings: { executionOrder: 'v1' as const },
	};
	const workflow = new Workflow({ ...workflowData, nodeTypes });
	const credentialsHelper = new CredentialsHelper(store, nodeTypes);

	const done = new Promise<IRun>((resolve, reject) => {
		const executionId = `exec-test-${++executions}`;
		const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData as never);
		hooks.addHandler('workflowExecuteAfter', (run: IRun) => resolve(run));
		const additionalData = {
			hooks,
			executionId,
			credentialsHelper,
			executeWorkflow: async () => {
				throw new Error('not available in tests');
			},
			restApiUrl: 'http://localhost:5678/rest',
			instanceBaseUrl: 'http://localhost:5678/',
			formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
			webhookBaseUrl: 'http://localhost:5678/webhook',
			webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
			webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
			userId: 'user-test',
			variables: {},
			setExecutionStatus: () => undefined,
			sendDataToUI: () => undefined,
			logAiEvent: () => undefined,
			getRunExecutionData: async () => undefined,
			startRunnerTask: async () => {
				throw new Error('not available in tests');
			},
		} as unknown as IWorkflowExecuteAdditionalData;
		const runData = createRunExecutionData({
			executionData: {
				nodeExecutionStack: [{ node: source, data: { main: [[{ json: {} }]] }, source: null }],
			},
		});
		const execution = new WorkflowExecute(additionalData, 'manual', runData).processRunExecutionData(workflow);
		execution.catch(reject);
		void options.cancelWhen?.then(() => execution.cancel());
	});
	const run = await done;
	const nodeRun = run.data.resultData.runData[names[names.length - 1]]?.[0];
	const main = nodeRun?.data?.main ?? [];
	const error = run.data.resultData.error ? (JSON.parse(JSON.stringify(run.data.resultData.error)) as IDataObject) : undefined;
	if (error && run.data.resultData.error) {
		// Own properties are not all enumerable: keep what n8n shows a user.
		const e = run.data.resultData.error as unknown as IDataObject;
		Object.assign(error, { message: e.message, description: e.description, stack: e.stack });
	}
	return {
		run,
		output: main[0] ?? [],
		errorOutput: main[1] ?? [],
		error,
		credentialUpdates: credentialsHelper.updates,
		hints: nodeRun?.hints ?? [],
		everything: JSON.stringify({ resultData: run.data.resultData, error }),
	};
}

export interface SearchOptions {
	/** The node's parameters as the editor holds them. */
	parameters: INodeParameters;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	store?: CredentialStore;
	/** Default 2 (the first version with a list search). */
	typeVersion?: number;
	method: string;
	filter?: string;
	paginationToken?: string;
}

/**
 * Calls a listSearch method the way the editor's request does (n8n's DynamicNodeParametersService):
 * n8n-core's own LoadOptionsContext for the node, with the same credential store and real
 * httpRequestWithAuthentication as runNode.
 */
export async function searchList(options: SearchOptions): Promise<INodeListSearchResult> {
	const nodeTypes = new NodeTypes();
	const store = options.store ?? new CredentialStore(options.credentials);
	const wanted = credentialTypeFor(options.parameters);
	const credentials = store.records[store.idOf(wanted)] ? { [wanted]: { id: store.idOf(wanted), name: `Test ${wanted}` } } : {};
	const node: INode = {
		id: 'payment-revert-0',
		name: NODE_NAME,
		type: NODE_TYPE,
		typeVersion: options.typeVersion ?? 2,
		position: [0, 0],
		parameters: options.parameters,
		credentials,
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const additionalData = {
		credentialsHelper: new CredentialsHelper(store, nodeTypes),
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		userId: 'user-test',
		variables: {},
	} as unknown as IWorkflowExecuteAdditionalData;
	const type = nodeTypes.getByNameAndVersion(NODE_TYPE, node.typeVersion);
	const method = type.methods?.listSearch?.[options.method];
	if (!method) throw new Error(`version ${node.typeVersion} has no listSearch method ${options.method}`);
	const context = new LoadOptionsContext(workflow, node, additionalData, 'parameters.invoiceId');
	return await method.call(context, options.filter, options.paginationToken);
}
