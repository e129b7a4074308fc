// @vitest-environment happy-dom
// The diagnosis pane: findings first, with period, suspects, fix and evidence linked to the timeline.
import { beforeEach, describe, expect, it } from 'vitest';
import { DiagnosisPane } from '../../../src/panel/Diagnosis';
import { selectedConnectionId } from '../../../src/panel/store';
import { timelineView } from '../../../src/panel/timelineModel';
import { emptySession } from '../../../src/core/model';
import { click, load, mount, nginxLikeSession } from './fixtures';
import type { Session } from '../../../src/core/model';

let s: Session;

describe('DiagnosisPane', () => {
  beforeEach(() => {
    s = load(nginxLikeSession());
  });

  it('leads with the idle timeout: the period, how often drops come, the suspects and the fix', () => {
    const root = mount(<DiagnosisPane />);
    const primary = root.querySelector('details.finding.primary')!;
    expect(primary.getAttribute('data-kind')).toBe('idle-timeout');
    expect(primary.querySelector('.finding-title')?.textContent).toBe('Connections die after 3 s of silence');
    expect(primary.querySelector('.fact-period')?.textContent).toBe('Period 3 s of silence in both directions before each drop');
    expect(primary.textContent).toMatch(/Drops every ~4 s/);
    expect(primary.querySelector('.suspects')?.textContent).toContain('nginx');
    expect(primary.querySelector('.suspects')?.textContent).toContain('proxy_read_timeout');
    expect(primary.querySelector('.fix')?.textContent).toMatch(/Fix.*heartbeat every ≤ 1\.5 s/);
    expect(root.querySelector('.close-codes')?.textContent).toMatch(/1006 Abnormal Closure ×4.*without a close frame/);
  });

  it('links each close of the evidence to the connection and the timeline', () => {
    const root = mount(<DiagnosisPane />);
    const links = root.querySelectorAll('.evidence .link-button');
    expect(links.length).toBe(4);
    expect(links[0].parentElement?.textContent).toMatch(/1006 after 3\.4 s, silent 3 s/);
    click(links[2]);
    expect(selectedConnectionId.value).toBe(s.connections[2].id);
    const view = timelineView.value!;
    expect(view.start).toBeLessThan(s.connections[2].close!.time - 3000);
    expect(view.end).toBeGreaterThan(s.connections[2].close!.time);
  });

  it('says there is no problem when there is none', () => {
    load(emptySession('x', 0));
    const root = mount(<DiagnosisPane />);
    expect(root.textContent).toContain('No problem found so far.');
  });
});
