// Which names (URL parameters, JSON keys, header-like lines) hold a secret.
//
// A name is split into words (camelCase, snake_case, kebab-case, dots:
// `SecretAccessKey` -> secret access key, `auth_key` -> auth key) and also
// compared whole once normalised (lower case, without - _ .). It is secret
// when any of these holds:
//  1. the normalised name is in the caller's exact list (the defaults of
//     redact.ts and the user's own keys);
//  2. it ends with a credential noun: accesstoken, db_password, xApiKey,
//     PHPSESSID, csrfmiddlewaretoken (SUFFIXES);
//  3. it contains a word that only names secrets: secretAccessKey,
//     password_hint, csrf_value (STRONG_PARTS, anywhere in the name);
//  4. its last word, the noun the name is about, is a credential word: `key`
//     in auth_key / session_key / secretKey, `sid`, `pass`, `session`, `otp`
//     (HEAD_WORDS), or one of its words is pwd / otp / csrf / jwt / bearer.
// So a short word counts only as a whole word, and mostly only as the last
// one: `keyboard`, `monkey`, `key_id`, `keyCode`, `author`, `passenger`,
// `bypass`, `inside`, `design`, `footprint`, `max_tokens`, `token_count` and
// `session_count` are not secrets. Known non-secret keys are excepted too:
// routing_key, sort_key, partition_key, primary/foreign_key, cache_key,
// public_key, idempotency_key... (NON_SECRET_KEYS). Over-redaction is the
// cheaper mistake: `pageToken` (a pagination cursor) is redacted.

/** Lower case, without '-', '_' and '.': `X-Api-Key`, `x_api_key` and `xApiKey` are the same name. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, '');
}

/** The words of a name, lower case, trailing digits dropped (`key2` -> key). */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .map((word) => word.replace(/\d+$/, ''))
    .filter((word) => word.length > 0);
}

const SUFFIXES = [
  'token',
  'secret',
  'password',
  'passwd',
  'passphrase',
  'passcode',
  'signature',
  'apikey',
  'sessionid',
  'sessid',
  'sessionkey',
  'authkey',
  'privatekey',
  'secretkey',
  'accesskey',
  'credential',
  'credentials',
  'cookie',
  'jwt',
];

const STRONG_PARTS = ['secret', 'password', 'passwd', 'passphrase', 'passcode', 'credential', 'csrf', 'xsrf', 'bearer', 'apikey', 'privatekey'];

const HEAD_WORDS = new Set([
  'key',
  'sid',
  'pass',
  'pwd',
  'auth',
  'otp',
  'totp',
  'hotp',
  'sig',
  'token',
  'secret',
  'session',
  'cookie',
  'csrf',
  'xsrf',
  'bearer',
  'jwt',
  'signature',
  'credential',
  'credentials',
  'password',
  'passwd',
  'passcode',
  'passphrase',
  'authorization',
]);

const ANY_WORDS = new Set(['pwd', 'otp', 'totp', 'csrf', 'xsrf', 'jwt', 'bearer']);

/** `<word> key` names that are not credentials. */
const NON_SECRET_KEYS = new Set([
  'routing',
  'sort',
  'partition',
  'primary',
  'foreign',
  'cache',
  'row',
  'column',
  'index',
  'lookup',
  'public',
  'idempotency',
  'dedup',
  'dedupe',
  'hot',
  'shortcut',
  'object',
  'translation',
  'i18n',
  'group',
  'message',
  'event',
]);

export function isSecretName(name: string, exact?: ReadonlySet<string>): boolean {
  const normalized = normalizeName(name);
  if (!normalized) return false;
  if (exact?.has(normalized)) return true;
  if (SUFFIXES.some((suffix) => normalized.endsWith(suffix))) return true;
  if (STRONG_PARTS.some((part) => normalized.includes(part))) return true;
  const words = nameWords(name);
  if (words.some((word) => ANY_WORDS.has(word))) return true;
  const last = words[words.length - 1];
  if (last === undefined || !HEAD_WORDS.has(last)) return false;
  if (last === 'key' && words.length > 1 && NON_SECRET_KEYS.has(words[words.length - 2])) return false;
  return true;
}
