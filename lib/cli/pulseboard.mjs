#!/usr/bin/env node
// `npm run pulseboard -- <command>`: manages the users and tokens of AUTH_FILE (default
// $DATA_DIR/auth.json, DATA_DIR default ./data). A running server reads the file again within a
// second of a change: nothing to restart.
//
//   user add NAME [--role read|write|read,write] [--scope 'team="payments"']   password from stdin
//   user passwd NAME                                                           password from stdin
//   user list | user remove NAME
//   token add NAME --role read|write|read,write [--scope 'team="payments"']    prints the token once
//   token list | token remove NAME
//
// Plain JavaScript on purpose: it runs with the Node that runs Pulseboard, before any build.
import { createHash, randomBytes, scrypt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const ROLES = new Set(['read', 'write']);
const SCRYPT = { ln: 15, r: 8, p: 1 };
const PASSWORD_MIN = 8;
const PASSWORD_MAX = 1024;
const SCOPE_MAX = 4096;

class UsageError extends Error {}

/** AUTH_FILE, or auth.json in DATA_DIR, as the server resolves it (lib/env.ts). */
export function authFilePath(env = process.env) {
  if (env.AUTH_FILE?.trim()) return path.resolve(env.AUTH_FILE.trim());
  const dataDir = env.DATA_DIR?.trim() || './data';
  if (dataDir === 'none') throw new UsageError('DATA_DIR=none: set AUTH_FILE to say where users and tokens are kept');
  return path.resolve(dataDir, 'auth.json');
}

function read(file) {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (data?.version !== 1 || typeof data.secret !== 'string' || typeof data.users !== 'object' || typeof data.tokens !== 'object') {
      throw new UsageError(`${file} is not an auth file this version writes (version 1); move it away to start over`);
    }
    return data;
  } catch (err) {
    if (err.code === 'ENOENT') return { version: 1, secret: randomBytes(32).toString('base64url'), users: {}, tokens: {} };
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${file}: ${err.message}`);
  }
}

/** Writes the whole file anew (temporary file, fsync, rename), readable by its owner only. */
function write(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(data, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/**
 * Whether `text` is a scope the server reads (lib/access/scope.ts, with the query grammar of
 * lib/query/parse.ts): label matchers `label op "value"` (op `=`, `!=`, `=~`, `!~`), comma-separated,
 * with or without braces, optionally after a metric name or glob. Returns the problem, or null.
 */
export function scopeProblem(text) {
  const s = text.trim();
  if (s === '') return 'is empty';
  if (s.length > SCOPE_MAX) return `is longer than ${SCOPE_MAX} characters`;
  let i = 0;
  const name = /^[A-Za-z_:*?][A-Za-z0-9_:*?]*/.exec(s);
  const matchersOnly = !name || /^\s*[=!]/.test(s.slice(name[0].length));
  if (!matchersOnly) i = name[0].length;
  const braced = s[i] === '{';
  if (!matchersOnly && !braced) return i === s.length ? null : `unexpected ${JSON.stringify(s.slice(i, i + 8))}`;
  if (braced) i++;
  const space = () => {
    while (s[i] === ' ' || s[i] === '\t') i++;
  };
  for (let first = true; ; first = false) {
    space();
    if (braced && s[i] === '}' && !first) break;
    if (!braced && i === s.length && !first) break;
    const label = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
    if (!label) return `expected a label name at ${JSON.stringify(s.slice(i, i + 8))}`;
    i += label[0].length;
    space();
    const op = ['!=', '=~', '!~', '='].find((o) => s.startsWith(o, i));
    if (!op) return `expected =, !=, =~ or !~ after ${label[0]}`;
    i += op.length;
    space();
    if (s[i] !== '"') return `expected a quoted value after ${label[0]}${op}`;
    for (i++; i < s.length && s[i] !== '"'; i++) if (s[i] === '\\') i++;
    if (s[i] !== '"') return 'a quoted value is not closed';
    i++;
    space();
    if (s[i] === ',') {
      i++;
      continue;
    }
    if (braced && s[i] === '}') break;
    if (!braced && i === s.length) break;
    return `unexpected ${JSON.stringify(s.slice(i, i + 8))}`;
  }
  if (braced) i++;
  space();
  return i === s.length ? null : `unexpected ${JSON.stringify(s.slice(i, i + 8))} after the matchers`;
}

function option(args, flag) {
  const i = args.indexOf(flag);
  if (i === -1) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
  args.splice(i, 2);
  return value;
}

function parseRoles(raw, fallback) {
  if (raw === undefined) return fallback;
  const roles = [...new Set(raw.split(',').map((r) => r.trim()).filter(Boolean))];
  if (roles.length === 0 || roles.some((r) => !ROLES.has(r))) throw new UsageError(`--role ${JSON.stringify(raw)}: expected read, write or read,write`);
  return roles.sort();
}

function parseScopeOption(raw) {
  if (raw === undefined) return null;
  const problem = scopeProblem(raw);
  if (problem) throw new UsageError(`--scope ${JSON.stringify(raw.slice(0, 120))} ${problem}; write label matchers such as 'team="payments"'`);
  return raw.trim();
}

function checkName(name, what) {
  if (!name || !NAME.test(name)) throw new UsageError(`${what} name ${JSON.stringify(name ?? '')}: 1-64 letters, digits, . _ @ -, starting with a letter or digit`);
}

/** The password: typed at a terminal (not echoed), or the first line of stdin. */
async function readPassword() {
  const input = process.stdin;
  if (input.isTTY) {
    process.stderr.write('Password: ');
    input.setRawMode(true);
    let typed = '';
    try {
      for await (const chunk of input) {
        for (const c of chunk.toString('utf8')) {
          if (c === '\r' || c === '\n') return typed;
          if (c === '\u0003') throw new UsageError('cancelled');
          if (c === '\u007f') typed = typed.slice(0, -1);
          else typed += c;
        }
      }
    } finally {
      input.setRawMode(false);
      process.stderr.write('\n');
    }
    return typed;
  }
  let text = '';
  for await (const chunk of input) {
    text += chunk.toString('utf8');
    if (text.length > PASSWORD_MAX * 4) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

function checkPassword(password) {
  if (password.length < PASSWORD_MIN) throw new UsageError(`the password must have at least ${PASSWORD_MIN} characters`);
  if (password.length > PASSWORD_MAX) throw new UsageError(`the password must have at most ${PASSWORD_MAX} characters`);
}

/** `$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, as lib/access/password.ts verifies it. */
export function hashPassword(password, params = SCRYPT) {
  const salt = randomBytes(16);
  const N = 2 ** params.ln;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, 32, { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(`$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`),
    ),
  );
}

const describe = (entry) => `${entry.roles.join(',')}${entry.scope ? `  scope ${entry.scope}` : ''}${entry.created ? `  created ${entry.created}` : ''}`;

async function run(argv) {
  const args = [...argv];
  const [kind, verb, name] = args.splice(0, 3);
  const file = authFilePath();
  const now = new Date().toISOString();
  if (kind === 'user' && (verb === 'add' || verb === 'passwd')) {
    checkName(name, 'user');
    const roles = parseRoles(option(args, '--role'), ['read']);
    const scope = parseScopeOption(option(args, '--scope'));
    if (args.length > 0) throw new UsageError(`unexpected ${args.join(' ')}`);
    if (verb === 'passwd' && (argv.includes('--role') || argv.includes('--scope'))) throw new UsageError('user passwd changes the password only: remove the user and add it again to change its role or scope');
    const exists = (data) => {
      if (verb === 'add' && data.users[name]) throw new UsageError(`user ${name} exists; change the password with: user passwd ${name}`);
      if (verb === 'passwd' && !data.users[name]) throw new UsageError(`no user ${name}; add one with: user add ${name}`);
    };
    exists(read(file));
    const password = await readPassword();
    checkPassword(password);
    const hash = await hashPassword(password);
    // Read again after the prompt: a change made meanwhile (a token removed) is kept.
    const data = read(file);
    exists(data);
    const previous = data.users[name];
    data.users[name] = verb === 'add' ? { password: hash, roles, scope, created: now } : { ...previous, password: hash };
    write(file, data);
    console.log(`${verb === 'add' ? 'added' : 'changed the password of'} user ${name} (${describe(data.users[name])}) in ${file}${verb === 'passwd' ? '; their sessions have ended' : ''}`);
    return;
  }
  if (kind === 'token' && verb === 'add') {
    checkName(name, 'token');
    const rawRole = option(args, '--role');
    if (rawRole === undefined) throw new UsageError('token add needs --role read, write or read,write');
    const roles = parseRoles(rawRole);
    const scope = parseScopeOption(option(args, '--scope'));
    if (args.length > 0) throw new UsageError(`unexpected ${args.join(' ')}`);
    const data = read(file);
    if (data.tokens[name]) throw new UsageError(`token ${name} exists; remove it first: token remove ${name}`);
    const token = `pb_${randomBytes(32).toString('base64url')}`;
    data.tokens[name] = { hash: `sha256:${createHash('sha256').update(token).digest('hex')}`, roles, scope, created: now };
    write(file, data);
    console.error(`added token ${name} (${describe(data.tokens[name])}) to ${file}. It is shown this once; send it as "Authorization: Bearer <token>":`);
    console.log(token);
    return;
  }
  if ((kind === 'user' || kind === 'token') && verb === 'list') {
    const data = read(file);
    const entries = Object.entries(kind === 'user' ? data.users : data.tokens);
    if (entries.length === 0) console.log(`no ${kind}s in ${file}`);
    for (const [n, entry] of entries) console.log(`${n}  ${describe(entry)}`);
    return;
  }
  if ((kind === 'user' || kind === 'token') && verb === 'remove') {
    checkName(name, kind);
    const data = read(file);
    const table = kind === 'user' ? data.users : data.tokens;
    if (!table[name]) throw new UsageError(`no ${kind} ${name} in ${file}`);
    delete table[name];
    write(file, data);
    console.log(`removed ${kind} ${name} from ${file}${kind === 'user' ? '; their sessions have ended' : '; requests carrying it are refused from now on'}`);
    return;
  }
  throw new UsageError(`unknown command ${JSON.stringify([kind, verb].filter(Boolean).join(' '))}`);
}

const USAGE = `usage: npm run pulseboard -- <command>
  user add NAME [--role read|write|read,write] [--scope 'team="payments"']   (password from stdin)
  user passwd NAME                                                           (password from stdin)
  user list | user remove NAME
  token add NAME --role read|write|read,write [--scope 'team="payments"']    (prints the token once)
  token list | token remove NAME
The file: AUTH_FILE, or auth.json in DATA_DIR (./data).`;

// Run as a program (not imported by a test): compared as URLs of real paths (spaces, symlinks).
const invoked = process.argv[1] ? pathToFileURL(fs.realpathSync(process.argv[1])).href : '';
if (import.meta.url === invoked) {
  run(process.argv.slice(2)).catch((err) => {
    if (err instanceof UsageError) {
      console.error(`pulseboard: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  });
}
