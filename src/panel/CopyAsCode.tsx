// "Copy as…" in the messages' toolbar: the selected message, or the
// connection's text messages (the ones shown when a filter is on), as a
// snippet that replays them: browser JavaScript, Node (ws) or websocat
// (src/core/copyAsCode.ts). Redacted when the export's "Redact secrets"
// option is on (src/panel/qa.ts exportChoices), and it says what was left out.
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { CODE_FLAVORS, copyAsCode, type CodeFlavor, type CopyMessage } from '../core/copyAsCode';
import type { Connection, Message } from '../core/model';
import { copyToClipboard } from './MessageDetail';
import { exportChoices, parseKeys } from './exportChoices';
import { directionFilter, hideHeartbeats, messageMatcher, selectedConnection, selectedMessage, visibleMessages } from './store';

export type CopyScope = 'message' | 'connection';

/** The messages a scope copies: the selected one, or the connection's text messages (those shown, when filtered). */
export function messagesToCopy(scope: CopyScope, connection: Connection, selected: Message | undefined): Message[] {
  if (scope === 'message') return selected ? [selected] : [];
  const { positions } = visibleMessages.peek();
  const shown = positions ? Array.from(positions, (position) => connection.messages[position]) : connection.messages;
  return shown.filter((message) => message.opcode === 1);
}

function isFiltered(): boolean {
  return directionFilter.value !== 'all' || hideHeartbeats.value || Boolean(messageMatcher.value.test);
}

/** Copies the snippet; returns what to tell the user. */
export async function copyMessagesAsCode(flavor: CodeFlavor, connection: Connection, messages: readonly CopyMessage[]): Promise<string> {
  const choices = exportChoices.peek();
  const generated = copyAsCode(flavor, connection, messages, { redact: choices.redact ? { keys: parseKeys(choices.redactKeys) } : false });
  const copied = await copyToClipboard(generated.code);
  const label = CODE_FLAVORS.find((f) => f.flavor === flavor)?.label ?? flavor;
  const sent = messages.length - generated.skipped.length;
  const parts = [copied ? `Copied as ${label}: ${sent === 1 ? '1 message' : `${sent} messages`}` : `Could not copy to the clipboard`];
  if (generated.skipped.length) {
    parts.push(`${generated.skipped.length} skipped (${[...new Set(generated.skipped.map((skip) => skip.reason))].join('; ')})`);
  }
  if (generated.redacted) parts.push('secrets redacted: put real values back before running');
  else if (choices.redact) parts.push('redaction on, nothing to redact');
  return parts.join(' · ');
}

export function CopyAsCodeMenu() {
  const open = useSignal(false);
  const status = useSignal('');
  const anchor = useRef<HTMLSpanElement>(null);
  const connection = selectedConnection.value;
  const selected = selectedMessage.value;
  useEffect(() => {
    if (!open.value) return;
    anchor.current?.querySelector<HTMLElement>('.copy-menu button:not([disabled])')?.focus();
    const outside = (event: PointerEvent) => {
      if (!anchor.current?.contains(event.target as Node)) open.value = false;
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open.value]);
  if (!connection) return null;
  const textCount = open.value ? messagesToCopy('connection', connection, selected).length : 0;
  const run = async (scope: CopyScope, flavor: CodeFlavor) => {
    open.value = false;
    status.value = await copyMessagesAsCode(flavor, connection, messagesToCopy(scope, connection, selected));
    setTimeout(() => (status.value = ''), 6000);
  };
  const group = (scope: CopyScope, title: string, disabled: boolean) => (
    <div class="copy-group" role="group" aria-label={title}>
      <div class="copy-group-title">{title}</div>
      {CODE_FLAVORS.map(({ flavor, label }) => (
        <button key={flavor} type="button" class="tool-button" disabled={disabled} onClick={() => void run(scope, flavor)}>
          {label}
        </button>
      ))}
    </div>
  );
  return (
    <span class="copy-anchor" ref={anchor}>
      <button
        type="button"
        class="tool-button"
        aria-haspopup="true"
        aria-expanded={open.value}
        title="Copy the selected message or this connection's text messages as code that replays them"
        onClick={() => (open.value = !open.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && open.value) {
            event.preventDefault();
            event.stopPropagation();
            open.value = false;
          }
        }}
      >
        Copy as…
      </button>
      {open.value && (
        <div
          class="copy-menu"
          role="menu"
          aria-label="Copy as code"
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.preventDefault();
              event.stopPropagation();
              open.value = false;
              (anchor.current?.firstElementChild as HTMLElement | null)?.focus();
            }
          }}
        >
          {group('message', selected ? `Message #${selected.index}` : 'Message (select one)', !selected)}
          {group('connection', `${isFiltered() ? 'Text messages shown' : 'All text messages'} (${textCount.toLocaleString('en-US')})`, textCount === 0)}
          {exportChoices.value.redact && <div class="copy-note">Secrets are redacted (the export's Redact option is on).</div>}
        </div>
      )}
      {status.value && (
        <span class="copy-status" role="status">
          {status.value}
        </span>
      )}
    </span>
  );
}
