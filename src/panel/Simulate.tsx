// Reproduce and verify (README): simulate a policy on the inspected tab's
// sockets, act on the selected connection, "Verify the fix" from a finding,
// and the results apart from the findings. Opt-in: nothing is simulated until
// the user acts, and an active policy is shown at a glance with its Stop.
import { useComputed } from '@preact/signals';
import { useState } from 'preact/hooks';
import type { Finding } from '../core/finding';
import { diagnoseSimulated } from '../core/diagnosis';
import { describePolicy, encodePayload, endpointOfUrl, isSimulableCloseCode, VERIFY_PERIODS, verifyName, type SimAction, type SimBasis, type SimPolicy, type SimPolicyKind } from '../core/simulation';
import { formatDuration } from '../core/format';
import { revision, selectedConnection, session } from './store';
import { simulation, simulationLink } from './simulationState';

function post(tabId: number | undefined, message: { kind: 'policy'; policy: SimPolicy | null } | { kind: 'action'; action: SimAction }): void {
  if (tabId === undefined) return;
  if (message.kind === 'policy') simulationLink.send({ kind: 'sim-policy', tabId, policy: message.policy });
  else simulationLink.send({ kind: 'sim-action', tabId, action: message.action });
}

/** The mount point under the toolbar: the active policy with its Stop, and the controls (collapsed). */
export function SimulationBar({ tabId }: { tabId?: number }) {
  const policy = simulation.value.policy;
  if (tabId === undefined) return null;
  return (
    <div class="sim-bar">
      {policy && (
        <div class="sim-active" role="status" aria-label="Active simulation">
          <span class="sim-badge">SIMULATING</span>
          <span class="sim-what">
            {policy.verify ? 'Verifying the fix: ' : ''}
            {describePolicy(policy)} — drops it causes are marked simulated, not real
          </span>
          <button type="button" class="sim-stop" onClick={() => post(tabId, { kind: 'policy', policy: null })}>
            Stop
          </button>
        </div>
      )}
      <details class="sim-controls">
        <summary>Reproduce and verify…</summary>
        <PolicyForm tabId={tabId} />
        <ConnectionActions tabId={tabId} />
      </details>
    </div>
  );
}

function PolicyForm({ tabId }: { tabId: number }) {
  const [kind, setKind] = useState<SimPolicyKind>('idle');
  const [seconds, setSeconds] = useState('3');
  const [basis, setBasis] = useState<SimBasis>('any');
  const [endpoint, setEndpoint] = useState('');
  const [keep, setKeep] = useState(false);
  const endpoints = useComputed(() => {
    void revision.value;
    return [...new Set(session.value.connections.map((c) => endpointOfUrl(c.url)))].sort();
  });
  const ms = Math.round(Number(seconds) * 1000);
  const valid = Number.isFinite(ms) && ms >= 100 && ms <= 3_600_000;
  return (
    <form
      class="sim-form"
      aria-label="Simulate a policy"
      onSubmit={(event) => {
        event.preventDefault();
        if (valid) post(tabId, { kind: 'policy', policy: { kind, ms, basis, endpoint, keep } });
      }}
    >
      <label>
        Simulate{' '}
        <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as SimPolicyKind)} aria-label="Policy">
          <option value="idle">an idle timeout of</option>
          <option value="lifetime">a lifetime of</option>
          <option value="offline">the network offline for</option>
        </select>
      </label>{' '}
      <input class="sim-seconds" type="number" min="0.1" step="0.1" value={seconds} onInput={(e) => setSeconds((e.target as HTMLInputElement).value)} aria-label="Seconds" /> s
      {kind === 'idle' && (
        <select value={basis} onChange={(e) => setBasis((e.target as HTMLSelectElement).value as SimBasis)} aria-label="Counted on">
          <option value="any">counted on either direction</option>
          <option value="received">counted on received only</option>
          <option value="sent">counted on sent only</option>
        </select>
      )}
      <select value={endpoint} onChange={(e) => setEndpoint((e.target as HTMLSelectElement).value)} aria-label="Endpoint">
        <option value="">on every socket of the tab</option>
        {endpoints.value.map((url) => (
          <option key={url} value={url}>
            on {url}
          </option>
        ))}
      </select>
      <label class="check">
        <input type="checkbox" checked={keep} onChange={(e) => setKeep((e.target as HTMLInputElement).checked)} /> keep across reloads
      </label>
      <button type="submit" disabled={!valid}>
        Start
      </button>
    </form>
  );
}

function ConnectionActions({ tabId }: { tabId: number }) {
  const connection = selectedConnection.value;
  const [code, setCode] = useState('1001');
  const [reason, setReason] = useState('');
  const [format, setFormat] = useState<'text' | 'json' | 'hex' | 'base64'>('text');
  const [data, setData] = useState('');
  if (!connection || connection.openedAt === undefined || connection.close) {
    return <p class="note">Select an open connection to drop it, close it as the server would, send or inject a message.</p>;
  }
  const connectionId = connection.id;
  const codeNumber = Number(code);
  let payloadError = '';
  try {
    encodePayload(format, data);
  } catch (error) {
    payloadError = error instanceof Error ? error.message : String(error);
  }
  return (
    <div class="sim-actions" aria-label="Act on the selected connection">
      <div class="sim-row">
        <span class="note">{connection.url}</span>
        <button type="button" onClick={() => post(tabId, { kind: 'action', action: { kind: 'drop', connectionId } })} title="End it as a dropped TCP connection would: 1006, no reason, not clean">
          Drop now
        </button>
        <input class="sim-code" value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value)} aria-label="Close code" list="sim-codes" />
        <datalist id="sim-codes">
          {[1000, 1001, 1011, 1012, 1013, 4000].map((value) => (
            <option key={value} value={value} />
          ))}
        </datalist>
        <input value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} aria-label="Close reason" placeholder="reason" maxLength={123} />
        <button
          type="button"
          disabled={!isSimulableCloseCode(codeNumber)}
          onClick={() => post(tabId, { kind: 'action', action: { kind: 'close', connectionId, code: codeNumber, reason } })}
        >
          Close as the server
        </button>
      </div>
      <div class="sim-row">
        <select value={format} onChange={(e) => setFormat((e.target as HTMLSelectElement).value as typeof format)} aria-label="Payload format">
          <option value="text">text</option>
          <option value="json">JSON</option>
          <option value="hex">binary (hex)</option>
          <option value="base64">binary (base64)</option>
        </select>
        <textarea rows={1} value={data} onInput={(e) => setData((e.target as HTMLTextAreaElement).value)} aria-label="Payload" />
        <button type="button" disabled={!!payloadError} title={payloadError} onClick={() => post(tabId, { kind: 'action', action: { kind: 'send', connectionId, format, data } })}>
          Send as the page
        </button>
        <button type="button" disabled={!!payloadError} title={payloadError} onClick={() => post(tabId, { kind: 'action', action: { kind: 'inject', connectionId, format, data } })}>
          Inject as received
        </button>
      </div>
    </div>
  );
}

/** In a timer finding: "Verify the fix" applies the diagnosed policy; its result shows here, apart from the finding's evidence. */
export function VerifyFix({ finding }: { finding: Finding }) {
  const tabId = session.value.tabId;
  if ((finding.kind !== 'idle-timeout' && finding.kind !== 'max-lifetime') || finding.periodMs === undefined || tabId === undefined) return null;
  const result = simulation.value.results.find((r) => r.finding === verifyName(finding));
  const running = simulation.value.policy?.verify?.finding === verifyName(finding);
  const endpoints = new Set(
    finding.connections.map((id) => session.value.connections.find((c) => c.id === id)).flatMap((c) => (c ? [endpointOfUrl(c.url)] : [])),
  );
  const policy: SimPolicy = {
    kind: finding.kind === 'idle-timeout' ? 'idle' : 'lifetime',
    ms: Math.round(finding.periodMs),
    basis: finding.basis ?? 'any',
    endpoint: endpoints.size === 1 ? [...endpoints][0] : '',
    keep: false,
    verify: { finding: verifyName(finding), periods: VERIFY_PERIODS },
  };
  return (
    <div class="verify">
      <button type="button" disabled={running} onClick={() => post(tabId, { kind: 'policy', policy })} title={`Simulates ${describePolicy(policy)} for ${VERIFY_PERIODS} periods`}>
        {running ? `Verifying (${formatDuration(policy.ms * VERIFY_PERIODS)})…` : 'Verify the fix'}
      </button>
      {result && (
        <span class={`verify-result ${result.passed ? 'verify-pass' : 'verify-fail'}`} role="status">
          {result.passed ? '✓ ' : '✕ '}
          {result.summary}
        </span>
      )}
    </div>
  );
}

/** Below the findings: what the simulated drops show, and every verification result; never mixed with the real findings. */
export function SimulationResults() {
  const simulated = useComputed(() => {
    void revision.value;
    return session.value.connections.some((c) => c.close?.simulated) ? diagnoseSimulated(session.value) : [];
  });
  const results = simulation.value.results;
  const count = useComputed(() => {
    void revision.value;
    return session.value.connections.filter((c) => c.close?.simulated).length;
  });
  if (!count.value && !results.length) return null;
  return (
    <section class="sim-results" aria-label="Verification">
      <h3>Verification (simulated, not real drops)</h3>
      {count.value > 0 && (
        <p class="note">
          {count.value} connection{count.value === 1 ? '' : 's'} ended by a simulation: kept out of the findings above.
          {simulated.value.length ? ' Under simulation: ' + simulated.value.map((f) => f.title).join('; ') + '.' : ''}
        </p>
      )}
      {results.map((result) => (
        <p key={result.finding} class={result.passed ? 'verify-pass' : 'verify-fail'}>
          {result.passed ? '✓' : '✕'} {result.finding}: {result.summary}
        </p>
      ))}
    </section>
  );
}
