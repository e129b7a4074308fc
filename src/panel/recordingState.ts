// The watched tab's current or last recording (the QA workflow), as the
// background last sent it; undefined when none, or when showing a file.
import { signal } from '@preact/signals';
import type { Recording } from '../protocol/messages';

export const recording = signal<Recording | undefined>(undefined);
