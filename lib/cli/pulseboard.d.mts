// Types of what tests import from the CLI (lib/cli/pulseboard.mjs is plain JavaScript).
export function authFilePath(env?: Record<string, string | undefined>): string;
export function scopeProblem(text: string): string | null;
export function hashPassword(password: string, params?: { ln: number; r: number; p: number }): Promise<string>;
