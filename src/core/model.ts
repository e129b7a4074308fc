// The data model shared by the background, the panel, the HAR writer/reader,
// the diagnosis and the CLI. Pure data: no browser API, no methods, so it
// survives structured clone, JSON and storage.session unchanged.
//
// Times are epoch milliseconds as floats (performance.timeOrigin +
// performance.now() in the page), sizes are bytes.
//
// Each closed set of values is an `as const` list with its type derived from
// it, so that readers of untrusted input (the HAR import) check against the
// same list the type has: a new value cannot be dropped silently.
import { PAGE_CONTEXT_TYPES } from './wire';

export const DIRECTIONS = ['send', 'receive'] as const;
export type Direction = (typeof DIRECTIONS)[number];
/** WebSocket opcodes visible to a page: 1 = text, 2 = binary. */
export const OPCODES = [1, 2] as const;
export type Opcode = (typeof OPCODES)[number];
/** Who started the close: the page called close(), a close frame came from the server first, or the TCP connection ended without a close frame (1006). */
export const CLOSE_INITIATORS = ['page', 'server', 'abnormal'] as const;
export type CloseInitiator = (typeof CLOSE_INITIATORS)[number];
export const HEARTBEAT_ROLES = ['ping', 'pong'] as const;
export type HeartbeatRole = (typeof HEARTBEAT_ROLES)[number];

export interface Message {
  /** Position within its connection, counting from 0, including messages dropped by caps. */
  index: number;
  direction: Direction;
  time: number;
  opcode: Opcode;
  /** Size of the whole payload in bytes (UTF-8 for text). */
  size: number;
  /** Text as is, binary as base64; bounded by the preview cap. Empty when evicted. */
  preview: string;
  /** The preview is shorter than the payload. */
  truncated: boolean;
  /** The preview was removed later by the memory cap (metadata kept). */
  evicted?: boolean;
  /** Filled in by heartbeat recognition (src/core/heartbeat). */
  heartbeat?: HeartbeatRole;
}

export interface CloseInfo {
  time: number;
  code: number;
  reason: string;
  wasClean: boolean;
  initiator: CloseInitiator;
  /** What the page asked for when it called close(code, reason). */
  requestedCode?: number;
  requestedReason?: string;
}

export interface Connection {
  /** Unique within a session (document id + counter). */
  id: string;
  frameId?: number;
  frameUrl: string;
  url: string;
  /** Sub-protocols the page requested. */
  protocols: string[];
  /** Negotiated sub-protocol ('' when none). */
  protocol?: string;
  /** Negotiated extensions ('' when none). */
  extensions?: string;
  /** When `new WebSocket()` ran. */
  createdAt: number;
  /** When the open event fired; absent when the handshake failed. */
  openedAt?: number;
  /** When the close event fired. */
  closedAt?: number;
  /** When the page called close(), if it did, and the code and reason it passed. */
  closeRequestedAt?: number;
  closeRequestedCode?: number;
  closeRequestedReason?: string;
  close?: CloseInfo;
  /** Time of the error event (a failed handshake, or an error before an abnormal close). */
  errorAt?: number;
  messages: Message[];
  /** Messages dropped (oldest first) by the memory cap; their count, not their content. */
  droppedMessages?: number;
  /** Previews evicted by the memory cap. */
  evictedPreviews?: number;
}

/** What the page reports (src/core/wire.ts), plus the navigations the background sees. */
export const PAGE_EVENT_TYPES = [...PAGE_CONTEXT_TYPES, 'navigation'] as const;
export type PageEventType = (typeof PAGE_EVENT_TYPES)[number];

export interface PageEvent {
  type: PageEventType;
  time: number;
  frameUrl?: string;
  frameId?: number;
  /** navigation: the new URL; pagehide: 'persisted' when going to the bfcache. */
  detail?: string;
  /** timer-late: how late a timer of the page fired, in ms. */
  lateMs?: number;
}

export interface Note {
  id: string;
  time: number;
  text: string;
}

export interface DropCounts {
  /** Whole messages dropped by caps (metadata gone too). */
  messages: number;
  /** Previews evicted by caps (metadata kept). */
  previews: number;
  /** Records refused as malformed or oversized (a page can post anything). */
  rejected: number;
  /** Whole batches lost between the page and the background (the background was unreachable for too long). */
  lostBatches?: number;
  /** Whole connections dropped by caps (closed first, oldest first); their remaining messages are counted in `messages` too. */
  droppedConnections?: number;
  /** Page events dropped (oldest first): beyond the per-tab count cap, or by the memory cap. */
  droppedPageEvents?: number;
}

export interface Session {
  id: string;
  name?: string;
  tabId?: number;
  pageUrl?: string;
  startedAt: number;
  endedAt?: number;
  connections: Connection[];
  pageEvents: PageEvent[];
  notes: Note[];
  dropped: DropCounts;
  /** Where the data came from; Chrome's HAR has no close information. */
  source?: 'live' | 'socketscope-har' | 'chrome-har';
  /** The export was redacted (tokens, secrets replaced). */
  redacted?: boolean;
}

export function emptyDropCounts(): DropCounts {
  return { messages: 0, previews: 0, rejected: 0 };
}

export function emptySession(id: string, startedAt: number): Session {
  return { id, startedAt, connections: [], pageEvents: [], notes: [], dropped: emptyDropCounts() };
}
