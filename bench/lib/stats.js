'use strict';
/** Median and spread of repeated measurements. */
function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** { median, min, max, n } of a list of numbers. */
function summary(values) {
	return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/** "1.23 (1.10–1.40)" with the given digits. */
function fmt(s, digits = 2, unit = '') {
	return `${s.median.toFixed(digits)}${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)}${unit})`;
}

module.exports = { median, summary, fmt };
