// The panel's layout:
//
//   toolbar
//   ┌ connections (chains) ─────────────┬ diagnosis ┐
//   ├ timeline (canvas, shared axis) ───┤ findings, │
//   ├ messages ─────────┬ detail ───────┤ evidence, │
//   └───────────────────┴───────────────┴ fix ──────┘
//   status bar
//
// Every divider is draggable (and arrow-keyable); the shares live in signals.
import { signal, useComputed, useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { ConnectionList } from './ConnectionList';
import { DiagnosisPane } from './Diagnosis';
import { EmptyState } from './EmptyState';
import { MessageDetail } from './MessageDetail';
import { MessagesPane } from './Messages';
import { SplitPane } from './SplitPane';
import { Timeline } from './Timeline';
import { clearRecords, Toolbar } from './Toolbar';
import { installShortcuts } from './keyboard';
import { analysisMs, link, linkError, revision, session } from './store';
import { formatMeasured } from '../core/format';
import { CHROME_HAR_WARNING } from '../core/har';

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
const NARROW_PX = 900;

export function App({ tabId }: { tabId?: number }) {
  useEffect(() => installShortcuts(() => clearRecords(tabId)), [tabId]);
  const root = useRef<HTMLDivElement>(null);
  const narrow = useSignal(false);
  useEffect(() => {
    const element = root.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => (narrow.value = element.clientWidth > 0 && element.clientWidth < NARROW_PX));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const empty = useComputed(() => {
    void revision.value;
    return session.value.connections.length === 0;
  });
  return (
    <div ref={root} class="app">
      <Toolbar tabId={tabId} />
      {linkError.value && (
        <div class="banner banner-error" role="alert">
          {linkError.value}
        </div>
      )}
      {session.value.source === 'chrome-har' && <div class="banner">{CHROME_HAR_WARNING}</div>}
      {empty.value ? (
        <EmptyState tabId={tabId} />
      ) : (
        <SplitPane
          direction={narrow.value ? 'column' : 'row'}
          share={narrow.value ? layout.diagnosisNarrow : layout.diagnosis}
          label="side pane"
          minPercent={30}
          maxPercent={85}
          class="main"
        >
          <SplitPane direction="column" share={layout.connections} label="list pane" minPercent={10} maxPercent={70}>
            <ConnectionList />
            <SplitPane direction="column" share={layout.timeline} label="timeline pane" minPercent={15} maxPercent={80}>
              <Timeline />
              <SplitPane direction="row" share={layout.messages} label="detail pane" minPercent={20} maxPercent={80}>
                <MessagesPane />
                <MessageDetail />
              </SplitPane>
            </SplitPane>
          </SplitPane>
          <DiagnosisPane />
        </SplitPane>
      )}
      <StatusBar />
    </div>
  );
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
      dropped.messages && `${dropped.messages} messages dropped`,
      dropped.previews && `${dropped.previews} previews evicted`,
      dropped.rejected && `${dropped.rejected} records refused`,
      dropped.lostBatches && `${dropped.lostBatches} batches lost`,
      dropped.droppedConnections && `${dropped.droppedConnections} connections dropped`,
      dropped.droppedPageEvents && `${dropped.droppedPageEvents} page events dropped`,
    ].filter(Boolean);
    return `${current.connections.length} connections (${open} open) · ${messages.toLocaleString('en-US')} messages${lost.length ? ` · ${lost.join(' · ')} (memory cap)` : ''}`;
  });
  return (
    <div class="statusbar" role="status">
      <span>{summary.value}</span>
      <span class="status-dim" title="Time the last heartbeat recognition and diagnosis took (they run at most twice a second)">
        {link.value === 'imported' ? 'Imported file · ' : ''}analysis {formatMeasured(analysisMs.value)}
      </span>
    </div>
  );
}
