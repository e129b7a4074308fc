// The panel's layout:
//
//   toolbar (actions overflow into a "⋯" menu when narrow)
//   ┌ connections (chains) ─────────────┬ diagnosis ┐
//   ├ timeline (canvas, shared axis) ───┤ findings, │
//   ├ messages ─────────┬ detail ───────┤ evidence, │
//   └───────────────────┴───────────────┴ fix ──────┘
//   status bar (the diagnosis headline, counts)
//
// Every divider is draggable (and arrow-keyable); the shares live in signals.
// Below NARROW_PX wide the diagnosis goes under the rest. Below COMPACT_PX
// high (DevTools docked at the bottom) split panes leave each pane a row or
// two: the compact layout shows one pane at a time, chosen with tabs.
import { signal, useComputed, useSignal } from '@preact/signals';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import type { JSX } from 'preact';
import { ConnectionList } from './ConnectionList';
import { Coverage } from './Coverage';
import { DiagnosisPane } from './Diagnosis';
import { SimulationBar } from './Simulate';
import { EmptyState, LoadingState } from './EmptyState';
import { MessageDetail } from './MessageDetail';
import { MessagesPane } from './Messages';
import { CaptureSettingsBar, PauseBar } from './PauseBar';
import { SearchPane } from './SearchPane';
import { searchOpen } from './search';
import { SplitPane } from './SplitPane';
import { Timeline } from './Timeline';
import { clearRecords, Toolbar } from './Toolbar';
import { installShortcuts } from './keyboard';
import { analysisMs, awaitingFirstSnapshot, findings, link, linkError, revision, session, sessionLoading } from './store';
import { formatMeasured } from '../core/format';
import { CHROME_HAR_WARNING } from '../core/har';
import type { DropCounts } from '../core/model';
import { BLOB_HELD_READ_MAX, BLOB_HELD_READS_PER_S, KEPT_PER_CONNECTION } from '../protocol/page';

/** Pane shares in percent; module state so they survive re-renders and view changes. */
export const layout = {
  diagnosis: signal(68),
  /** In a narrow panel the diagnosis goes below the rest. */
  diagnosisNarrow: signal(62),
  connections: signal(30),
  timeline: signal(36),
  messages: signal(55),
};

/** Below this width the diagnosis moves under the other panes. */
export const NARROW_PX = 900;
/** Below this height one pane is shown at a time (the compact layout). */
export const COMPACT_PX = 450;
/** Below this width the message detail goes under the messages. */
const SLIM_PX = 600;

export type CompactPane = 'connections' | 'timeline' | 'messages' | 'diagnosis';
const COMPACT_PANES: { value: CompactPane; label: string }[] = [
  { value: 'connections', label: 'Connections' },
  { value: 'timeline', label: 'Timeline' },
  { value: 'messages', label: 'Messages' },
  { value: 'diagnosis', label: 'Diagnosis' },
];
/** The pane the compact layout shows; module state, so it is the same when the panel comes back. */
export const compactPane = signal<CompactPane>('connections');

export function App({ tabId }: { tabId?: number }) {
  useEffect(() => installShortcuts(() => clearRecords(tabId)), [tabId]);
  const root = useRef<HTMLDivElement>(null);
  const size = useSignal({ width: 0, height: 0 });
  useEffect(() => {
    const element = root.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => (size.value = { width: element.clientWidth, height: element.clientHeight }));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const { width, height } = size.value;
  const narrow = width > 0 && width < NARROW_PX;
  const slim = width > 0 && width < SLIM_PX;
  const compact = height > 0 && height < COMPACT_PX;
  const empty = useComputed(() => {
    void revision.value;
    return session.value.connections.length === 0;
  });
  const showsRows = !awaitingFirstSnapshot.value && !empty.value;
  useLayoutEffect(() => {
    // The first-paint measurement (test/e2e/devtools-dock.chromium.test.ts) reads these: the first rows in the DOM, and
    // the animation frame that paints them (a passive effect runs later still: up to 100 ms after, while tasks queue).
    if (!showsRows || performance.getEntriesByName('socketscope:rows-in-dom').length) return;
    performance.mark('socketscope:rows-in-dom');
    requestAnimationFrame(() => performance.mark('socketscope:first-rows'));
  }, [showsRows]);
  const messages = (
    <SplitPane direction={slim ? 'column' : 'row'} share={layout.messages} label="detail pane" minPercent={20} maxPercent={80}>
      <MessagesPane />
      <MessageDetail />
    </SplitPane>
  );
  let body;
  if (sessionLoading.value) body = <LoadingState />;
  else if (empty.value) body = <EmptyState tabId={tabId} />;
  else if (compact) body = <CompactLayout messages={messages} />;
  else
    body = (
      <SplitPane
        direction={narrow ? 'column' : 'row'}
        share={narrow ? layout.diagnosisNarrow : layout.diagnosis}
        label="side pane"
        minPercent={30}
        maxPercent={85}
        class="main"
      >
        <SplitPane direction="column" share={layout.connections} label="list pane" minPercent={10} maxPercent={70}>
          <ConnectionList />
          <SplitPane direction="column" share={layout.timeline} label="timeline pane" minPercent={15} maxPercent={80}>
            <Timeline />
            {messages}
          </SplitPane>
        </SplitPane>
        <DiagnosisPane />
      </SplitPane>
    );
  return (
    <div ref={root} class={`app${compact ? ' compact' : ''}${narrow ? ' narrow' : ''}${slim ? ' slim' : ''}`}>
      <Toolbar tabId={tabId} />
      <CaptureSettingsBar tabId={tabId} />
      <PauseBar />
      {session.value.source !== 'socketscope-har' && session.value.source !== 'chrome-har' && <SimulationBar tabId={tabId} />}
      {linkError.value && (
        <div class="banner banner-error" role="alert">
          {linkError.value}
        </div>
      )}
      {session.value.source === 'chrome-har' && <div class="banner">{CHROME_HAR_WARNING}</div>}
      <Coverage />
      {body}
      {searchOpen.value && !awaitingFirstSnapshot.value && <SearchPane />}
      <StatusBar />
    </div>
  );
}

/** One pane at a time, chosen with tabs (arrow keys, Home, End move between them, as in any tab list). */
function CompactLayout({ messages }: { messages: JSX.Element }) {
  const current = compactPane.value;
  const tabs = useRef<HTMLDivElement>(null);
  const onKeyDown = (event: KeyboardEvent) => {
    const at = COMPACT_PANES.findIndex((pane) => pane.value === current);
    let next: number | undefined;
    if (event.key === 'ArrowRight') next = (at + 1) % COMPACT_PANES.length;
    else if (event.key === 'ArrowLeft') next = (at - 1 + COMPACT_PANES.length) % COMPACT_PANES.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = COMPACT_PANES.length - 1;
    else return;
    event.preventDefault();
    compactPane.value = COMPACT_PANES[next].value;
    tabs.current?.querySelectorAll<HTMLElement>('[role=tab]')[next]?.focus();
  };
  const count = findings.value.length;
  return (
    <div class="compact-layout">
      <div class="compact-tabs" role="tablist" aria-label="Panes" ref={tabs} onKeyDown={onKeyDown}>
        {COMPACT_PANES.map((pane) => (
          <button
            key={pane.value}
            type="button"
            role="tab"
            id={`pane-tab-${pane.value}`}
            class="tab"
            aria-selected={current === pane.value}
            aria-controls="compact-pane"
            tabIndex={current === pane.value ? 0 : -1}
            onClick={() => (compactPane.value = pane.value)}
          >
            {pane.label}
            {pane.value === 'diagnosis' && count > 0 && <span class="tab-count">{count}</span>}
          </button>
        ))}
      </div>
      <div class="compact-pane" id="compact-pane" role="tabpanel" aria-labelledby={`pane-tab-${current}`}>
        {current === 'connections' ? <ConnectionList /> : current === 'timeline' ? <Timeline /> : current === 'messages' ? messages : <DiagnosisPane />}
      </div>
    </div>
  );
}

/** The top finding's title, or "No finding": always on screen, whatever the layout. */
function DiagnosisHeadline() {
  const top = findings.value[0];
  const text = top ? top.title : 'No finding';
  return (
    <span class={`headline${top ? (top.confidence >= 0.6 ? ' headline-bad' : ' headline-hint') : ' headline-ok'}`} title={top ? `${text}: see the Diagnosis pane` : 'No finding about these connections'}>
      <span class="headline-icon" aria-hidden="true">
        {top ? '!' : '✓'}
      </span>
      <span class="headline-text" data-testid="diagnosis-headline">
        {text}
      </span>
    </span>
  );
}

/**
 * Why previews are missing: the hook's flood budget (never copied), Blobs it did not read while nothing read the tab
 * (large ones, decision 78; past its count of reads, 81), and the memory cap (evicted later), each counted.
 */
function previewCauses({ previews, budgetPreviews = 0, heldBlobPreviews = 0 }: DropCounts): string {
  if (!budgetPreviews && !heldBlobPreviews) return 'memory cap';
  const byCap = previews - budgetPreviews - heldBlobPreviews;
  const causes = [
    budgetPreviews && `${budgetPreviews} never copied: the hook's flood budget`,
    heldBlobPreviews && `${heldBlobPreviews} not read: binary over ${BLOB_HELD_READ_MAX / 1024} KiB, or Blobs past ${BLOB_HELD_READS_PER_S} a second, while nothing read the tab`,
    byCap > 0 && `${byCap} by the memory cap`,
  ];
  return causes.filter(Boolean).join('; ');
}

function StatusBar() {
  const summary = useComputed(() => {
    void revision.value;
    const current = session.value;
    let messages = 0;
    let open = 0;
    for (const connection of current.connections) {
      messages += connection.messages.length;
      if (!connection.close) open++;
    }
    const { dropped } = current;
    const lost = [
      // Not labelled: the memory cap drops messages, and so does a hook whose relay never answered (UNRELAYED_MAX).
      dropped.messages && `${dropped.messages} messages dropped${dropped.unreadMessages ? ` (${dropped.unreadMessages} of a page that went away unread: its last ${KEPT_PER_CONNECTION} per connection kept)` : ''}`,
      dropped.previews && `${dropped.previews} previews evicted (${previewCauses(dropped)})`,
      dropped.rejected && `${dropped.rejected} records refused`,
      dropped.lostBatches && `${dropped.lostBatches} batches lost`,
      dropped.droppedConnections && `${dropped.droppedConnections} connections dropped (memory cap)`,
      dropped.droppedPageEvents && `${dropped.droppedPageEvents} page events dropped`,
    ].filter(Boolean);
    return `${current.connections.length} connections (${open} open) · ${messages.toLocaleString('en-US')} messages${lost.length ? ` · ${lost.join(' · ')}` : ''}`;
  });
  return (
    <div class="statusbar" role="status">
      {!awaitingFirstSnapshot.value && <DiagnosisHeadline />}
      <span class="status-summary">{summary.value}</span>
      <span class="status-dim" title="Time the last heartbeat recognition and diagnosis took (they run at most twice a second)">
        {link.value === 'imported' ? 'Imported file · ' : ''}analysis {formatMeasured(analysisMs.value)}
      </span>
    </div>
  );
}
