export type Vendor = 'qonto' | 'contazen' | 'wethod';

/** A fixed window: at most `limit` requests per `windowMs`. */
export interface RateWindow {
	limit: number;
	windowMs: number;
}

/** A hand-made Qonto access token with a scope and/or an expiry (`expiresAt`: ms on the fake clock). */
export interface QontoAccessToken {
	token: string;
	scope?: string | null;
	expiresAt?: number | null;
}

export interface QontoRefreshToken {
	scope?: string;
	expiresAt?: number | null;
}

export interface QontoConfig {
	logins: Record<string, string>;
	/**
	 * Issued tokens are added as strings (the fakes keep their scope and expiry); any other string
	 * never expires and has every scope.
	 */
	accessTokens: Array<string | QontoAccessToken>;
	/** `true`: the default scope (or, for issued ones, the scope kept by the fakes); a string: that scope. */
	refreshTokens: Record<string, true | string | QontoRefreshToken>;
	/** code -> granted scope; each code works once. */
	authorizationCodes: Record<string, true | string>;
	clientId: string;
	clientSecret: string;
	accessTokenTtl: number;
	refreshTokenTtl: number;
	refreshGraceSeconds: number;
	stagingToken: string | null;
	stagingGate: 'redirect' | 'html';
	oauthStagingGate: boolean;
	tokenClientAuth: 'body' | 'any';
	unmarkResponse: 'bare' | 'wrapped';
	apiKeyCanWrite: boolean;
	rateLimit: RateWindow | RateWindow[] | null;
	retryAfter: boolean;
	unauthorizedLimit: RateWindow | null;
	/** Delay before every answer of this vendor, in ms (benchmarks); a latency fault replaces it. */
	latencyMs: number;
}

export interface ContazenConfig {
	apiKeys: string[];
	keyStatus: Record<string, 'expired' | 'ip_restricted' | 'insufficient_permissions'>;
	alreadyUnpaid: 'ok' | 'error';
	alreadyPaid: 'ok' | 'error';
	rateLimit: RateWindow | RateWindow[] | null;
	retryAfter: boolean;
	errorRequestId: boolean;
	singleGet: boolean;
	/** Delay before every answer of this vendor, in ms (benchmarks); a latency fault replaces it. */
	latencyMs: number;
}

export interface WethodConfig {
	tokens: string[];
	company: string | string[];
	versions: string[];
	/** token -> permissions; a token not listed has them all. */
	permissions: Record<string, string[]>;
	notPaid: 'precondition' | 'ok';
	rateLimit: RateWindow | RateWindow[] | null;
	/** Delay before every answer of this vendor, in ms (benchmarks); a latency fault replaces it. */
	latencyMs: number;
}

export interface FakesConfig {
	qonto: QontoConfig;
	contazen: ContazenConfig;
	wethod: WethodConfig;
}

export type FakesConfigPatch = { [V in Vendor]?: Partial<FakesConfig[V]> };

export interface FakeFault {
	/**
	 * `limit`: the vendor's own 429 asking to wait `retryAfter` seconds, the way that vendor asks.
	 * `trickle`: the normal answer (applied), status and headers at once, then the body in small
	 * chunks until `durationMs`. `huge`: the normal answer (applied) with an inlined attachment of
	 * `sizeMb` MB as its first member, streamed.
	 */
	type: 'status' | 'limit' | 'reset' | 'hang' | 'lose' | 'html' | 'malformed' | 'text' | 'latency' | 'trickle' | 'huge';
	retryAfter?: number;
	vendor?: Vendor;
	/** Substring of the path after the vendor prefix, e.g. "unmark_as_paid". */
	path?: string;
	method?: string;
	/** Only requests whose Authorization header contains this text (e.g. a token the fakes issued). */
	authorization?: string;
	/** The status to answer; for trickle and huge, an answer that is not applied (default: the normal one). */
	status?: number;
	/** An object is sent as JSON, a string as it is. */
	body?: unknown;
	/** A list sends the header once per value (what a client sees of duplicates is its own choice). */
	headers?: Record<string, string | string[]>;
	/** trickle: the whole body takes this long (default 8000 ms), one chunk every `intervalMs` (default 200). */
	durationMs?: number;
	intervalMs?: number;
	/** trickle: bytes per chunk at least (default 100; more when the body would not fit in the time). */
	chunkBytes?: number;
	/** huge: size of the inlined attachment in MB (default 50). */
	sizeMb?: number;
	/** huge: announce the size in Content-Length (default: chunked, no length). */
	contentLength?: boolean;
	/** Delay before the fault (or, for "latency", before the normal answer); "latency" defaults to 1000. */
	latencyMs?: number;
	/**
	 * The body's placeholders become what the faulted request carried, the way a vendor echoes it:
	 * `{authorization}` (the header), `{token}` (the header without "Bearer "/"Basic "), `{staging}`
	 * (X-Qonto-Staging-Token), each also as `{name.base64}`, `{name.percent}` (every byte %XX),
	 * `{name.upper}` or `{name.prefix}` (its first 16 characters and "...").
	 */
	echoAuthorization?: boolean;
	/** Only requests whose Authorization header matches this RegExp source (e.g. a token the fakes issued: "^Bearer qonto-access-\\d+-"). */
	authorizationPattern?: string;
	/** How many matching requests get the fault (default 1); `count` is an alias. */
	remaining?: number;
	count?: number;
}

export interface LoggedRequest {
	at: number;
	vendor: Vendor;
	method: string;
	/** The path after the vendor prefix, without the query string. */
	path: string;
	/** "?..." or "". */
	query: string;
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON, the raw text, or null. */
	body: unknown;
	/** The status answered (or that a "lose" fault dropped); null when reset or hung. */
	status: number | null;
	fault?: FakeFault['type'];
	/** The client closed the connection before the answer was complete (not set when a fault dropped it). */
	aborted?: true;
}

export type FakeRecord = Record<string, unknown>;

export interface FakesState {
	qonto: Map<string, FakeRecord>;
	contazen: Map<string, FakeRecord>;
	wethod: Map<string, FakeRecord>;
	/** Expenses linked to Contazen supplier bills, by expense id. */
	contazenExpenses: Map<string, FakeRecord>;
}

export interface Fakes {
	url: string;
	port: number;
	config: FakesConfig;
	state: FakesState;
	log: LoggedRequest[];
	seed(vendor: Vendor, id: string, overrides?: FakeRecord): FakeRecord;
	addFaults(faults: FakeFault[]): void;
	/** Moves the fakes' clock (token expiry, rate-limit windows) forward. */
	advanceClock(ms: number): void;
	now(): number;
	/** Like POST /_control/reset. */
	reset(): void;
	close(): Promise<void>;
}

export const DEFAULT_CONFIG: FakesConfig;

/** A vendor's invoice as the fakes build it (paid unless `overrides` say otherwise); not stored. */
export function invoiceOf(vendor: Vendor, id: string | number, overrides?: FakeRecord): FakeRecord;

/** Contazen's success envelope around `data`, with `requestId` in its meta (a random one when omitted). */
export function contazenSuccess(data: FakeRecord, requestId?: string): FakeRecord;

export function startFakes(options?: { port?: number; config?: FakesConfigPatch }): Promise<Fakes>;

/** The CLI (`node server.js [PORT] [--demo] [--config patch.json]`); `io` replaces printing and file reading. */
export function runCli(
	argv: string[],
	io?: { print?: (line: string) => void; readFile?: (file: string) => string },
): Promise<Fakes>;
