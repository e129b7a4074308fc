// Reproduce and verify (README): a policy simulated on a tab's sockets by the
// page hook, actions on one connection, and "Verify the fix" results. Pure
// data and functions: the background keeps the state per tab, the panel shows
// it, the diagnosis keeps simulated drops apart from real ones.
import type { Finding } from './finding';
import type { Connection, Session } from './model';
import { formatDuration } from './format';

export const SIM_POLICY_KINDS = ['idle', 'lifetime', 'offline'] as const;
export type SimPolicyKind = (typeof SIM_POLICY_KINDS)[number];
export type SimBasis = 'any' | 'received' | 'sent';

/** How many periods a connection must survive for "Verify the fix" to pass. */
export const VERIFY_PERIODS = 3;

export interface SimPolicy {
  kind: SimPolicyKind;
  /** The timeout, the lifetime, or how long the network stays down. */
  ms: number;
  /** Idle timeouts: which direction's silence counts. */
  basis: SimBasis;
  /** A URL without query ('' = every socket of the tab). */
  endpoint: string;
  /** Keep the policy when the tab reloads or navigates (default: it ends with the document). */
  keep: boolean;
  /** Set by the background. */
  startedAt?: number;
  /** Set when the policy was started by "Verify the fix" on a finding. */
  /** `finding`: the verified finding's name from verifyName() (stable while the finding's period moves with new drops). */
  verify?: { finding: string; periods: number };
}

export type SimAction =
  | { kind: 'drop'; connectionId: string }
  | { kind: 'close'; connectionId: string; code: number; reason: string }
  | { kind: 'send' | 'inject'; connectionId: string; format: 'text' | 'json' | 'hex' | 'base64'; data: string };

export interface VerificationResult {
  /** The finding's title the verification was started from. */
  finding: string;
  passed: boolean;
  /** e.g. 'survived 3 periods of a simulated 3 s idle timeout'. */
  summary: string;
  time: number;
}

export interface SimulationState {
  policy?: SimPolicy;
  results: VerificationResult[];
}

/** A URL without its query and fragment: what a policy's endpoint names. */
export function endpointOfUrl(url: string): string {
  return url.split(/[?#]/, 1)[0];
}

/** The close code a user may ask a simulated server close to use: 1000–1014 but the reserved ones (1004–1006), or 3000–4999. */
export function isSimulableCloseCode(code: number): boolean {
  return Number.isInteger(code) && ((code >= 1000 && code <= 1014 && (code < 1004 || code > 1006)) || (code >= 3000 && code <= 4999));
}

/** The payload of a send or inject as text or base64 binary; throws with a plain message when it does not parse. */
export function encodePayload(format: 'text' | 'json' | 'hex' | 'base64', data: string): { binary: boolean; text: string; b64: string } {
  if (format === 'text') return { binary: false, text: data, b64: '' };
  if (format === 'json') return { binary: false, text: JSON.stringify(JSON.parse(data)), b64: '' };
  if (format === 'base64') {
    const clean = data.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) throw new Error('not base64');
    return { binary: true, text: '', b64: btoa(atob(clean)) };
  }
  const hex = data.replace(/0x|[\s,:]/gi, '');
  if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new Error('not hex (pairs of hex digits)');
  let binary = '';
  for (let i = 0; i < hex.length; i += 2) binary += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return { binary: true, text: '', b64: btoa(binary) };
}

const BASIS_WORDS: Record<SimBasis, string> = { any: 'idle timeout', received: 'idle timeout (nothing received)', sent: 'idle timeout (nothing sent)' };

export function describePolicy(policy: SimPolicy): string {
  const what =
    policy.kind === 'idle' ? `${formatDuration(policy.ms)} ${BASIS_WORDS[policy.basis]}` : policy.kind === 'lifetime' ? `${formatDuration(policy.ms)} lifetime` : `offline for ${formatDuration(policy.ms)}`;
  return `${what} on ${policy.endpoint || 'every socket'}${policy.keep ? ', kept across reloads' : ''}`;
}

export const isSimulatedClose = (connection: Connection): boolean => connection.close?.simulated === true;

/** The session without the connections a simulation ended: what the real-drop diagnosis looks at. */
export function withoutSimulated(session: Session): Session {
  return session.connections.some(isSimulatedClose) ? { ...session, connections: session.connections.filter((c) => !isSimulatedClose(c)) } : session;
}

/** Only the connections a simulation ended: what the verification diagnosis looks at. */
export function onlySimulated(session: Session): Session {
  return { ...session, connections: session.connections.filter(isSimulatedClose) };
}

/**
 * Where a "Verify the fix" policy stands at `now`: failed as soon as a connection of its endpoint is dropped by it
 * ("dropped again after 3.0 s: the heartbeat does not keep it open"), passed once a connection of its endpoint has
 * stayed open under it for `periods` periods, undefined while neither.
 */
export function evaluateVerification(session: Session, policy: SimPolicy, now: number): VerificationResult | undefined {
  if (!policy.verify || policy.startedAt === undefined) return undefined;
  const startedAt = policy.startedAt;
  const applies = (c: Connection) => !policy.endpoint || endpointOfUrl(c.url) === policy.endpoint;
  const period = `${formatDuration(policy.ms)} ${policy.kind === 'idle' ? 'idle timeout' : policy.kind === 'lifetime' ? 'lifetime' : 'outage'}`;
  const base = { finding: policy.verify.finding, time: now };
  for (const connection of session.connections) {
    const close = connection.close;
    // Dropped by the simulation, or for real (a drop during the verification fails it just the same).
    if (!applies(connection) || !close || close.time < startedAt || (!close.simulated && close.initiator !== 'abnormal')) continue;
    // What the timer measured: the age (lifetime), or the silence on the policy's basis, which the simulation counts from its start.
    const opened = connection.openedAt ?? connection.createdAt;
    const counted = connection.messages.filter((m) => m.time <= close.time && (policy.basis === 'any' || (policy.basis === 'sent') === (m.direction === 'send')));
    const last = counted.length ? counted[counted.length - 1].time : opened;
    const since = policy.kind !== 'idle' ? opened : Math.max(opened, last, close.simulated ? startedAt : opened);
    const after = `${((close.time - since) / 1000).toFixed(1)} s`;
    const why = policy.kind === 'idle' ? 'the heartbeat does not keep it open' : 'the connection does not outlive it';
    return { ...base, passed: false, summary: `dropped again after ${after}${close.simulated ? '' : ' (a real drop, during the simulation)'}: ${why}` };
  }
  const needed = policy.verify.periods * policy.ms;
  // Open under the policy for `periods` periods (still open, or closed only after that).
  const survivor = session.connections.find((c) => applies(c) && c.openedAt !== undefined && (c.closedAt ?? now) - Math.max(startedAt, c.openedAt) >= needed);
  if (survivor) return { ...base, passed: true, summary: `survived ${policy.verify.periods} periods of a simulated ${period}` };
  return undefined;
}

const VERIFY_BASIS_WORDS: Readonly<Record<string, string>> = { any: 'silence either way', received: 'silence from the server', sent: 'silence from the page' };

/**
 * The name a verification is filed under for a timer finding: its kind and basis, never its title, whose period
 * ("after 1 s of silence", then "1.1 s" once more drops came) changes while the verification runs.
 */
export function verifyName(finding: Pick<Finding, 'kind' | 'basis'>): string {
  return finding.kind === 'idle-timeout' ? `Idle timeout (${VERIFY_BASIS_WORDS[finding.basis ?? 'any']})` : 'Fixed lifetime';
}
