// Files the browser tests and `npm start` put into the workspace they open: a few leads to
// classify, JSON inputs for the run panel, and a 200-line file for "Run Function on Each Line…".
import * as fs from 'node:fs';
import * as path from 'node:path';

export const INBOX_LINES = [
  'Acme Labs wants a demo of the analytics suite next week; budget approved.',
  'Just browsing, sent by a friend.',
  'Northwind Systems asked for pricing for 40 seats in Singapore.',
  'Please unsubscribe me from this list.',
  'Globex Corp is evaluating a contract for their retail stores in Germany.',
  'Student project, no budget, just curious.',
];

const ROW_TEMPLATES = [
  'Initech Software in Toronto is ready to buy {n} seats before the end of the quarter.',
  'Reader #{n} says the export is broken again and support is slow.',
  'Umbrella Health needs a quote for {n} hospitals across APAC.',
  'Visitor {n} is just looking around.',
  'Hooli asked for a trial for team {n}; the budget is approved.',
  'Thanks, I love the new dashboard ({n}).',
  'What time does webinar {n} start?',
  'Vandelay Industries is evaluating pricing for {n} warehouses in Brazil.',
];

/** 200 one-line leads (deterministic). */
export function rowLines(count = 200): string[] {
  return Array.from({ length: count }, (_, i) => ROW_TEMPLATES[i % ROW_TEMPLATES.length].replace('{n}', String(i + 1)));
}

export const LEAD_JSON = { query: 'Acme Labs is evaluating pricing for 40 seats and wants a demo.', region: 'EMEA' };

/** Writes the demo files into `folder` (existing files are kept unless `overwrite`). */
export function writeDemoFiles(folder: string, overwrite = true): void {
  const files: Record<string, string> = {
    'inbox.txt': INBOX_LINES.join('\n') + '\n',
    'lead.json': JSON.stringify(LEAD_JSON, null, 2) + '\n',
    'broken.json': '{ "query": "Acme wants a demo", "region": }\n',
    'leads-200.txt': rowLines().join('\n') + '\n',
  };
  fs.mkdirSync(folder, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(folder, name);
    if (overwrite || !fs.existsSync(file)) fs.writeFileSync(file, text);
  }
}
