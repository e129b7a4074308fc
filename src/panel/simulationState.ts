// The watched tab's simulation (Reproduce and verify), as the background last sent it: set by live.ts, shown by
// Simulate.tsx. Its commands go through `simulationLink`, which live.ts fills in: Simulate.tsx stays free of the
// extension API (the panel's unit tests render it without one).
import { signal } from '@preact/signals';
import type { SimulationState } from '../core/simulation';
import type { PanelToBackground } from '../protocol/messages';

export const simulation = signal<SimulationState>({ results: [] });
export const simulationLink: { send(message: PanelToBackground): void } = { send: () => undefined };
