// Types of scripts/lib/storedSession.mjs for the TypeScript tests.
import type { CloseInfo } from '../../src/core/model';
export declare function readStoredSession(
  stored: Record<string, unknown>,
  pageUrlPrefix: string,
): { tabId: number; session: { pageUrl: string; connections: { id: string; close?: CloseInfo; lastMessageAt?: number }[] } } | undefined;
