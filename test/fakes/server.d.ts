export interface FakeFault {
	vendor?: 'qonto' | 'contazen' | 'wethod';
	path?: string;
	type: 'status' | 'reset' | 'hang' | 'lose' | 'html' | 'malformed' | 'text' | 'latency';
	status?: number;
	body?: unknown;
	headers?: Record<string, string>;
	latencyMs?: number;
	remaining?: number;
}

export interface LoggedRequest {
	at: number;
	vendor: string;
	method: string;
	path: string;
	headers: Record<string, string>;
}

export interface Fakes {
	url: string;
	port: number;
	config: Record<string, Record<string, unknown>>;
	state: Record<'qonto' | 'contazen' | 'wethod', Map<string, Record<string, unknown>>>;
	log: LoggedRequest[];
	seed(vendor: 'qonto' | 'contazen' | 'wethod', id: string, overrides?: Record<string, unknown>): Record<string, unknown>;
	addFaults(faults: FakeFault[]): void;
	close(): Promise<void>;
}

export function startFakes(options?: { port?: number; config?: Record<string, Record<string, unknown>> }): Promise<Fakes>;
