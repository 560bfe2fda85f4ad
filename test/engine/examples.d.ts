import type { IConnections, INode } from 'n8n-workflow';

export interface ExampleWorkflow {
	id: string;
	name: string;
	nodes: INode[];
	connections: IConnections;
}

/** Every examples/*.json, parsed, in file-name order. */
export function exampleWorkflows(): Array<{ file: string; workflow: ExampleWorkflow }>;
