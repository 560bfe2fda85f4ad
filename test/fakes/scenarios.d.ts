import type { FakeFault, Fakes, Vendor } from './server';

export interface VendorIds {
	id: string;
	unpaid: string;
	missing: string;
	malformed: string;
	idOf(n: number): string;
}
export type Kind = 'paid' | 'unpaid' | 'missing' | 'malformed';
/** An outcome, or `error:<category>`. */
export type Expected = string;

export const VENDORS: Record<Vendor, VendorIds>;
export const PROVIDERS: Vendor[];
export function random(seed: number): () => number;
export function randomBatch(
	provider: Vendor,
	seed: number,
	size?: number,
): { items: Array<{ id: string; kind: Kind; expected: Expected }>; faults: FakeFault[] };
export function seedBatch(fakes: Fakes, provider: Vendor, items: Array<{ id: string; kind: Kind }>): Map<string, unknown>;
export function faultMatrix(provider: Vendor): Array<{ name: string; id: string; expected: Expected; fault: FakeFault }>;
