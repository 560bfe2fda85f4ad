/** `.ts` files under `dir` (relative to the repository), as repository-relative paths. */
export function sourceFiles(dir: string): string[];
export function readSource(file: string): string;
