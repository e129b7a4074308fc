// The output of the diagnosis (src/core/diagnosis): one Finding per cause found.

/** Every kind the diagnosis can report; the HAR import accepts exactly these. */
export const FINDING_KINDS = [
  'idle-timeout',
  'max-lifetime',
  'heartbeat-too-slow',
  'tab-throttled',
  'network-offline',
  'server-restart',
  'client-close',
  'handshake-failed',
  'reconnect-storm',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Suspect {
  /** e.g. 'nginx', 'AWS ALB', 'GCP external HTTP(S) load balancer'. */
  name: string;
  /** The setting to change, e.g. 'proxy_read_timeout'. */
  knob: string;
  /** The intermediary's default for that knob, in ms. */
  defaultMs: number;
}

/** An intermediary seen in this session's handshakes (a fingerprint quoted), not merely a matching default. */
export interface Identified {
  /** The product, e.g. 'nginx', 'Cloudflare' (src/core/fingerprints.ts). */
  name: string;
  /** Its setting for this kind of timer, when INTERMEDIARY_TIMEOUTS has one. */
  knob?: string;
  /** That setting's default, in ms, when it has one. */
  defaultMs?: number;
  /** The response header that identifies it, quoted, e.g. 'server: nginx/1.22.1'. */
  evidence: string;
}

export interface Finding {
  kind: FindingKind;
  /** One line, e.g. 'Connections die after 60 s of silence'. */
  title: string;
  /** A few sentences with the evidence in plain words. */
  detail: string;
  /** 0..1; two consistent closes are a hint (< 0.6), three or more a finding. */
  confidence: number;
  /** Connection ids the finding is about. */
  connections: string[];
  /** The repeating period (silence or age at close), when there is one. */
  periodMs?: number;
  /** For idle timeouts: which direction's silence is constant. */
  basis?: 'received' | 'sent' | 'any';
  /** Intermediaries identified from the handshakes of these connections (seen, quoted), outermost first. */
  identified?: Identified[];
  /** Intermediaries whose default matches (suspected, not seen); never repeats an identified one. */
  suspects?: Suspect[];
  /** What to do about it, concretely. */
  fix: string;
  /** A remark on another finding's cause (a fixed reconnect delay beside an idle timeout), ranked below every root cause. */
  secondary?: boolean;
}
