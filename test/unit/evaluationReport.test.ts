// The evaluation exports: Markdown tables and CSV cells hold untrusted labels, escaped.
import assert from 'node:assert/strict';
import { buildReport, csvCell, markdownCell, percent, reportToCsv, reportToMarkdown, score, withComparison } from '../../src/core/evaluationReport';
import type { EvalItem } from '../../src/core/metrics';

const ITEMS: EvalItem[] = [
  { line: 2, expected: 'spam', predicted: 'spam', confidence: 0.9 },
  { line: 3, expected: 'a|b', predicted: 'spam', confidence: 0.6 },
  { line: 4, expected: 'spam', error: 'rate limited, try "later"' },
];

describe('evaluation export', () => {
  it('escapes Markdown table cells: pipes, line breaks, links, HTML, emphasis', () => {
    assert.equal(markdownCell('a|b\nc'), 'a\\|b c');
    assert.equal(markdownCell('<img src=x onerror=alert(1)>'), '\\<img src=x onerror=alert(1)\\>');
    assert.equal(markdownCell('[click](command:x) *b* `c` \\'), '\\[click\\](command:x) \\*b\\* \\`c\\` \\\\');
  });

  it('quotes CSV fields and defuses spreadsheet formulas in text cells', () => {
    assert.equal(csvCell('a,"b"'), '"a,""b"""');
    assert.equal(csvCell('=HYPERLINK("x")'), '"\'=HYPERLINK(""x"")"');
    assert.equal(csvCell('-1', false), '-1');
    assert.equal(csvCell(undefined), '');
    assert.equal(csvCell('line\nbreak'), '"line\nbreak"');
  });

  it('formats undefined ratios as a dash', () => {
    assert.deepEqual([percent(undefined), percent(0.5), score(undefined), score(2 / 3)], ['—', '50.0%', '—', '0.667']);
  });

  it('writes the metrics, the matrix as a table and the disagreements in Markdown', () => {
    const md = reportToMarkdown(buildReport({ file: '/data/mail.csv', labelColumn: 'label', unlabelled: 1, unreadable: 0, items: ITEMS }));
    assert.match(md, /- Accuracy: 50\.0% \(1 of 2 correct; 1 failed, not scored\)/);
    assert.match(md, /\| Expected \\ Predicted \| a\\\|b \| spam \|/);
    assert.match(md, /\| a\\\|b \| 0 \| 1 \|\n\| spam \| 0 \| 1 \|/);
    assert.match(md, /\| 3 \| a\\\|b \| spam \| 60\.0% \|/);
    assert.match(md, /\| a\\\|b \| — \| 0\.000 \| — \| 1 \|/, 'precision undefined for a label never predicted');
    assert.ok(!md.includes('| a|b'), 'no raw pipe from a label');
  });

  it('writes one CSV line per row, with the comparison columns when compared', () => {
    const report = buildReport({ unlabelled: 0, unreadable: 0, items: ITEMS });
    assert.equal(
      reportToCsv(report),
      'line,expected,predicted,confidence,correct,error\r\n2,spam,spam,0.9,true,\r\n3,a|b,spam,0.6,false,\r\n4,spam,,,,"rate limited, try ""later"""\r\n',
    );
    const compared = withComparison(report, { platform: 'nyckel', id: 'f2', name: 'Other' }, [
      { line: 2, expected: 'spam', predicted: 'ham', confidence: 0.7 },
      { line: 3, expected: 'a|b', predicted: 'a|b', confidence: 0.8 },
      { line: 4, expected: 'spam', predicted: 'spam', confidence: 0.99 },
    ]);
    const lines = reportToCsv(compared).trimEnd().split('\r\n');
    assert.equal(lines[0], 'line,expected,predicted,confidence,correct,error,compare_predicted,compare_confidence,compare_correct,compare_error,changed');
    assert.equal(lines[1], '2,spam,spam,0.9,true,,ham,0.7,false,,true');
    assert.equal(lines[3], '4,spam,,,,"rate limited, try ""later""",spam,0.99,true,,true');
    assert.equal(compared.comparison?.diff.fixed, 2);
  });
});
