/**
 * The run's execution hints (n8n shows them above the output pane): a summary of the outcomes,
 * the distinct notes the items carry, and what the vendor's rate limit cost. Built from what the
 * items came to, never from a vendor's message; every text goes through the run's redactor.
 */
import type { IDataObject, NodeExecutionHint } from 'n8n-workflow';

import type { Operation } from './operations';
import type { Provider } from './providers';
import type { Redactor } from './secrets';
import type { LimitTally } from './transport/connection';

/** What one input item came to, as the hints count it. */
export type ItemSeen =
	| { ok: true; /** one entry per output item */ words: string[]; notes: string[] }
	| { ok: false; category: string };

/** Distinct notes shown one by one; more are summed up in one hint. */
const MAX_NOTES = 5;

/** What one input item's output items show to the hints: their words and notes. */
export function seenOf(operation: Operation, jsons: IDataObject[]): ItemSeen {
	const words = jsons.map((json) => operation.tally?.(json) ?? String(json.outcome ?? '').replace(/_/g, ' '));
	const notes = jsons.flatMap((json) => (Array.isArray(json.notes) ? json.notes.map(String) : []));
	return { ok: true, words, notes };
}

/** Counts in first-seen order. */
function countOf(values: string[]): Array<[string, number]> {
	const counts = new Map<string, number>();
	for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
	return [...counts];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const seconds = (ms: number) => `${(Math.round(ms / 100) / 10).toFixed(1)} s`;
const times = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);

/** "Revert Payment: reverted 3 · already unpaid 1 · failed 2 (not_found 1, rate_limited 1)". */
function summary(operation: Operation, provider: Provider, items: ItemSeen[]): NodeExecutionHint {
	const words = items.flatMap((item) => (item.ok ? item.words : []));
	const failures = countOf(items.flatMap((item) => (item.ok ? [] : [item.category])));
	const failed = failures.reduce((sum, [, n]) => sum + n, 0);
	const counted = countOf(words);
	// One outcome alone says what was counted ("listed 5 supplier invoices").
	const parts =
		counted.length === 1 && failed === 0
			? [`${counted[0][0]} ${plural(counted[0][1], provider.noun)}`]
			: counted.map(([word, n]) => `${word} ${n}`);
	if (failed) parts.push(`failed ${failed} (${failures.map(([category, n]) => `${category} ${n}`).join(', ')})`);
	const text = parts.length ? parts.join(' · ') : `no ${provider.noun}s`;
	return { message: `${operation.name}: ${text}`, type: failed ? 'warning' : 'info', location: 'outputPane' };
}

/** "3 items: Contazen documents no way to read …" for each distinct note, the most frequent first. */
function notes(items: ItemSeen[]): NodeExecutionHint[] {
	const counted = countOf(items.flatMap((item) => (item.ok ? item.notes : []))).sort((x, y) => y[1] - x[1]);
	const shown = counted.slice(0, MAX_NOTES).map(([note, n]): NodeExecutionHint => ({
		message: `${plural(n, 'item')}: ${note}`,
		type: 'info',
		location: 'outputPane',
	}));
	const more = counted.length - shown.length;
	if (more > 0) {
		shown.push({ message: `${plural(more, 'more distinct note')}: see each item's notes`, type: 'info', location: 'outputPane' });
	}
	return shown;
}

/** How long items waited for the vendor's limit, its 429s, and the items it refused. */
function limits(provider: Provider, items: ItemSeen[], tallies: LimitTally[]): NodeExecutionHint[] {
	const waited = tallies.filter((t) => t.waitedMs > 0);
	const total = waited.reduce((sum, t) => sum + t.waitedMs, 0);
	const max = waited.reduce((most, t) => Math.max(most, t.waitedMs), 0);
	const limited = tallies.reduce((sum, t) => sum + t.limited, 0);
	const refused = items.filter((item) => !item.ok && item.category === 'rate_limited').length;
	const parts: string[] = [];
	if (limited) parts.push(`${provider.name} answered 429 (too many requests) ${times(limited)}`);
	if (waited.length) {
		parts.push(`${plural(waited.length, 'item')} waited for its limit: ${seconds(total)} in total, at most ${seconds(max)} for one item`);
	}
	if (refused) {
		parts.push(`${plural(refused, 'item')} refused (rate_limited): the wait was longer than Max Retry Wait, or the retries ran out`);
	}
	if (!parts.length) return [];
	return [{ message: `Rate limit: ${parts.join('; ')}`, type: refused ? 'warning' : 'info', location: 'outputPane' }];
}

/** The run's hints, redacted: the summary first, then the notes, then the rate limit. */
export function runHints(
	operation: Operation,
	provider: Provider,
	items: ItemSeen[],
	tallies: LimitTally[],
	redactor: Redactor,
): NodeExecutionHint[] {
	const hints = [summary(operation, provider, items), ...notes(items), ...limits(provider, items, tallies)];
	return hints.map((hint) => ({ ...hint, message: redactor.text(hint.message) }));
}
