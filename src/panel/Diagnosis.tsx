// Why the sockets dropped: the findings, most important first, each with its
// evidence (the closes and silences behind it, each a link that selects the
// connection and brings it into view on the timeline), the suspected
// intermediaries with the setting to change, and the fix. Then every close
// code seen, in plain words.
import { useComputed } from '@preact/signals';
import { useState } from 'preact/hooks';
import type { CloseInitiator, Connection } from '../core/model';
import type { Finding } from '../core/finding';
import { CLOSE_NORMAL, explainCloseCode } from '../core/closeCodes';
import { endpointKey } from '../core/chains';
import { explainClose } from '../core/diagnosis';
import { CLOSED_BY, isDrop, type ConnectionFacts } from '../core/facts';
import { formatClock, formatDuration } from '../core/format';
import { connectionById, factsOf, findings, revision, selectConnection, selectedConnection, session } from './store';
import { focusTimeline } from './timelineModel';
import { SimulationResults, VerifyFix } from './Simulate';

const BASIS_WORDS: Record<NonNullable<Finding['basis']>, string> = {
  any: 'silence in both directions',
  received: 'silence toward the page (nothing received)',
  sent: 'silence from the page (nothing sent)',
};

/** Median time between consecutive ends within each reconnect chain of the finding: how often the drops come. */
export function dropIntervalMs(finding: Finding): number | undefined {
  const byChain = new Map<string, number[]>();
  for (const id of finding.connections) {
    const connection = connectionById(id);
    const end = factsOf(id)?.endedAt;
    if (!connection?.close || end === undefined) continue;
    const key = endpointKey(connection.url);
    byChain.set(key, [...(byChain.get(key) ?? []), end]);
  }
  const gaps: number[] = [];
  for (const times of byChain.values()) {
    times.sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) gaps.push(times[i] - times[i - 1]);
  }
  if (!gaps.length) return undefined;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
}

function confidenceWord(confidence: number): string {
  return confidence >= 0.8 ? 'very likely' : confidence >= 0.6 ? 'likely' : 'a hint';
}

function periodLabel(finding: Finding): string | undefined {
  if (finding.periodMs === undefined) return undefined;
  const period = formatDuration(finding.periodMs);
  switch (finding.kind) {
    case 'idle-timeout':
      return `${period} of ${finding.basis ? BASIS_WORDS[finding.basis] : 'silence'} before each drop`;
    case 'max-lifetime':
      return `every connection cut at age ${period}`;
    case 'heartbeat-too-slow':
      return `idle timeout ${period}`;
    case 'reconnect-storm':
      return `reconnects every ${period}`;
    default:
      return period;
  }
}

export function DiagnosisPane() {
  void revision.value;
  const list = findings.value;
  const codes = useComputed(() => {
    void revision.value;
    const byCode = new Map<number, { count: number; simulated: number; initiators: Set<CloseInitiator> }>();
    for (const connection of session.value.connections) {
      if (!connection.close) continue;
      const entry = byCode.get(connection.close.code) ?? { count: 0, simulated: 0, initiators: new Set<CloseInitiator>() };
      entry.count++;
      if (connection.close.simulated) entry.simulated++;
      entry.initiators.add(connection.close.initiator);
      byCode.set(connection.close.code, entry);
    }
    return [...byCode].sort((a, b) => b[1].count - a[1].count);
  });
  const selected = selectedConnection.value;
  return (
    <aside class="diagnosis" aria-label="Diagnosis">
      <div class="pane-header">
        <span>Diagnosis</span>
        <span class="pane-header-meta">{list.length ? (list.length === 1 ? '1 finding' : `${list.length} findings`) : ''}</span>
      </div>
      <div class="diagnosis-body">
        {list.length === 0 ? (
          <div class="no-findings">
            <p class="ok-line">No problem found so far.</p>
            <p class="note">Findings appear here when sockets drop in a pattern: a constant silence or age before abnormal closes, heartbeats slower than a timeout, a throttled tab, the network going offline, a server restart, failed handshakes, or reconnect storms. Two consistent drops are a hint; three make a finding.</p>
          </div>
        ) : (
          list.map((finding, i) => <FindingView key={`${finding.kind}:${i}`} finding={finding} primary={i === 0} />)
        )}
        <SimulationResults />
        {codes.value.length > 0 && (
          <section class="close-codes">
            <h3>Close codes seen</h3>
            <dl>
              {codes.value.map(([code, { count, simulated, initiators }]) => {
                const explained = explainCloseCode(code);
                return (
                  <div key={code} class="code-entry">
                    <dt>
                      <span class={`code${code === CLOSE_NORMAL ? ' code-ok' : ''}`}>{code}</span> {explained.name}
                      <span class="count"> ×{count}</span>
                      {simulated > 0 && <span class="note"> ({simulated} simulated, not real)</span>}
                      <span class="note"> · by {[...initiators].map((initiator) => CLOSED_BY[initiator]).join(', ')}</span>
                    </dt>
                    <dd>{explained.meaning[0].toUpperCase() + explained.meaning.slice(1)}.</dd>
                  </div>
                );
              })}
            </dl>
          </section>
        )}
        {selected && (selected.close || selected.errorAt !== undefined) && (
          <section class="selected-close">
            <h3>Selected connection</h3>
            <p>{explainClose(selected)}</p>
          </section>
        )}
      </div>
    </aside>
  );
}

function FindingView({ finding, primary }: { finding: Finding; primary: boolean }) {
  const period = periodLabel(finding);
  const interval = finding.kind === 'idle-timeout' || finding.kind === 'max-lifetime' ? dropIntervalMs(finding) : undefined;
  const severity = finding.confidence >= 0.6 ? 'finding-strong' : 'finding-hint';
  return (
    <details class={`finding ${severity}${primary ? ' primary' : ''}`} open={primary || finding.confidence >= 0.7} data-kind={finding.kind}>
      <summary>
        <span class="finding-icon" aria-hidden="true">
          {finding.confidence >= 0.6 ? '!' : '?'}
        </span>
        <span class="finding-title">{finding.title}</span>
        <span class="confidence" title={`confidence ${Math.round(finding.confidence * 100)} %`}>
          {confidenceWord(finding.confidence)} · {Math.round(finding.confidence * 100)}%
        </span>
      </summary>
      {(period || interval !== undefined) && (
        <div class="facts">
          {period && (
            <span class="fact fact-period" title="The period that repeats, also marked on the timeline's axis">
              <span class="fact-name">Period</span> {period}
            </span>
          )}
          {interval !== undefined && (
            <span class="fact">
              <span class="fact-name">Drops</span> every ~{formatDuration(interval)}
            </span>
          )}
          <span class="fact">
            <span class="fact-name">Connections</span> {finding.connections.length}
          </span>
        </div>
      )}
      <div class="fix">
        <span class="section-label">Fix</span> {finding.fix}
      </div>
      {finding.identified && finding.identified.length > 0 && <IdentifiedList finding={finding} />}
      <VerifyFix finding={finding} />
      {finding.suspects && finding.suspects.length > 0 && <Suspects finding={finding} />}
      <Why text={finding.detail} />
      <Evidence finding={finding} />
    </details>
  );
}

/** Intermediaries seen in this finding's handshakes, each with the response header that names it (text, never HTML). */
function IdentifiedList({ finding }: { finding: Finding }) {
  return (
    <div class="identified">
      <div class="section-label">Identified (seen in the handshake)</div>
      <ul class="suspect-list">
        {(finding.identified ?? []).map((item) => (
          <li key={item.name}>
            Identified: <span class="suspect-name">{item.name}</span> — <code>{item.evidence}</code>
            {item.knob ? (
              <span class="note-inline">
                {' '}
                · {item.knob}
                {item.defaultMs !== undefined ? `, default ${formatDuration(item.defaultMs)}` : ''}
              </span>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

const SUSPECTS_SHOWN = 3;

function Suspects({ finding }: { finding: Finding }) {
  const [all, setAll] = useState(false);
  const suspects = finding.suspects ?? [];
  const shown = all ? suspects : suspects.slice(0, SUSPECTS_SHOWN);
  return (
    <div class="suspects">
      <div class="section-label">{finding.identified?.length ? 'Suspected (not seen in the handshake)' : 'Suspected intermediaries'} · setting to change</div>
      <ul class="suspect-list">
        {shown.map((suspect) => (
          <li key={suspect.name}>
            <span class="suspect-name">{suspect.name}</span> <code>{suspect.knob}</code> <span class="note-inline">default {formatDuration(suspect.defaultMs)}</span>
          </li>
        ))}
      </ul>
      {suspects.length > SUSPECTS_SHOWN && (
        <button type="button" class="link-button more" onClick={() => setAll(!all)}>
          {all ? 'fewer' : `${suspects.length - SUSPECTS_SHOWN} more`}
        </button>
      )}
    </div>
  );
}

/** The finding's reasoning, three lines until asked for more. */
function Why({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  return (
    <div class="why">
      <span class="section-label">Why</span>
      <span class={`finding-detail${open ? ' open' : ''}`}>{text}</span>{' '}
      <button type="button" class="link-button more" onClick={() => setOpen(!open)}>
        {open ? 'less' : 'more'}
      </button>
    </div>
  );
}

interface EvidenceItem {
  connection: Connection;
  facts: ConnectionFacts;
  /** When it ended, else when it was created. */
  at: number;
}

function Evidence({ finding }: { finding: Finding }) {
  // The facts of the analysis that made the finding: the evidence and the finding agree on every end and silence.
  const items: EvidenceItem[] = [];
  for (const id of finding.connections) {
    const connection = connectionById(id);
    const facts = factsOf(id);
    if (connection && facts) items.push({ connection, facts, at: facts.endedAt ?? connection.createdAt });
  }
  items.sort((a, b) => a.at - b.at);
  if (!items.length) return null;
  const shown = items.slice(0, 12);
  return (
    <div class="evidence">
      <div class="section-label">Evidence</div>
      <ul>
        {shown.map(({ connection, facts, at }) => {
          const close = connection.close;
          const age = close && facts.handshake === 'opened' ? facts.lifetimeMs : undefined;
          const silence = close ? facts.silenceBeforeEndMs?.[finding.basis ?? 'any'] : undefined;
          const spanMs = finding.periodMs ?? Math.max(1000, age ?? 1000);
          return (
            <li key={connection.id}>
              <button
                type="button"
                class="link-button"
                title="Select this connection and show it on the timeline"
                onClick={() => {
                  selectConnection(connection.id);
                  focusTimeline(Math.min(connection.openedAt ?? connection.createdAt, at - spanMs) - spanMs * 0.3, at + spanMs * 0.3);
                }}
              >
                {formatClock(at)}
              </button>{' '}
              {close ? (
                <>
                  <span class={isDrop(facts.severity) ? 'close-bad' : 'code-ok'}>{close.code}</span>
                  {age !== undefined ? ` after ${formatDuration(age)}` : ''}
                  {silence !== undefined && close.initiator === 'abnormal' ? `, silent ${formatDuration(silence)}` : ''}
                  {close.initiator !== 'abnormal' ? `, closed by ${CLOSED_BY[close.initiator]}` : ''}
                </>
              ) : connection.errorAt !== undefined ? (
                'handshake failed'
              ) : (
                'open'
              )}
            </li>
          );
        })}
        {items.length > shown.length && <li class="note">… and {items.length - shown.length} more</li>}
      </ul>
    </div>
  );
}
