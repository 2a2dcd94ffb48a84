/// <reference lib="dom" />
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CONTROLS } from '../../lib/compliance/controls';
import { type ComplianceReport, buildReport, writeReport } from '../../lib/compliance/report';
import { copyOfSharedAssembly, editTemplate } from '../support/assembly-copy';

/** Debian's `chromium` package, unless CHROME_PATH names another Chrome or Chromium. */
const CHROME = process.env.CHROME_PATH || '/usr/bin/chromium';
const HAVE_BROWSER = fs.existsSync(CHROME);
/** Kept by CI as an artifact (`.github/workflows/ci.yml`). */
const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');

if (!HAVE_BROWSER && !process.env.CI)
  console.warn(
    `Skipping the report page's browser tests: no Chromium at ${CHROME} ` +
      '(apt-get install -y chromium, or set CHROME_PATH).',
  );

/** A page of the browser that records every request, console error and page error. */
async function openPage(browser: Browser, url: string) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const requests: string[] = [];
  const errors: string[] = [];
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    requests.push(request.url());
    // Only the page itself may load; anything else would be a network or disk fetch.
    if (request.url().split('#')[0] === url.split('#')[0]) void request.continue();
    else void request.abort();
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url, { waitUntil: 'load' });
  return { page, requests, errors };
}

/** The ids of the controls a reader sees. */
const visibleControls = (page: Page) =>
  page.$$eval('details.control', (ds) => ds.filter((d) => d.checkVisibility()).map((d) => d.id));
/** The acknowledgement rows a reader sees, as their text. */
const visibleAcks = (page: Page) =>
  page.$$eval('#acknowledgements tbody tr', (rs) =>
    rs.filter((r) => r.checkVisibility()).map((r) => r.textContent ?? ''),
  );

/** Sets the filter as a reader would leave it (`input` and `change` fire). */
async function filter(page: Page, q: string, status = '', stage = '') {
  await page.evaluate(
    (q, status, stage) => {
      const set = (id: string, value: string) => {
        const e = document.getElementById(id) as HTMLInputElement | HTMLSelectElement;
        e.value = value;
        e.dispatchEvent(new Event('input', { bubbles: true }));
        e.dispatchEvent(new Event('change', { bubbles: true }));
      };
      set('q', q);
      set('status', status);
      set('stage', stage);
    },
    q,
    status,
    stage,
  );
}

/**
 * A copy of the shared assembly that fails one claim in each stage, and a different
 * one (Staging: the proxy stops requiring TLS; Production: the data key stops rotating), so
 * the page has failures to summarize and the stage filter has something to tell apart.
 */
function brokenAssembly(): string {
  const dir = copyOfSharedAssembly('bulwark-report-page-');
  const edit = (stack: string, change: (r: { Type: string; Properties: any }) => void) =>
    editTemplate(dir, stack, (t) => Object.values<any>(t.Resources).forEach(change));
  edit('Bulwark-Staging-Data', (r) => {
    if (r.Type === 'AWS::RDS::DBProxy') r.Properties.RequireTLS = false;
  });
  edit('Bulwark-Production-Data', (r) => {
    if (r.Type === 'AWS::KMS::Key' && r.Properties.EnableKeyRotation)
      r.Properties.EnableKeyRotation = false;
  });
  return dir;
}

if (!HAVE_BROWSER && process.env.CI)
  describe('report page in a browser', () => {
    it('fails in CI when no browser is installed (CI never skips it)', () => {
      throw new Error(`No Chromium at ${CHROME}: install chromium or set CHROME_PATH.`);
    });
  });

(HAVE_BROWSER ? describe : describe.skip)('report page in a browser (headless Chromium)', () => {
  let report: ComplianceReport;
  let url: string;
  let browser: Browser;
  let page: Page;
  let requests: string[];
  let errors: string[];

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-report-page-'));
    report = buildReport(brokenAssembly());
    writeReport(report, dir);
    url = pathToFileURL(path.join(dir, 'report.html')).href;
    // The test runs as root in CI containers, where Chromium's sandbox cannot start.
    browser = await puppeteer.launch({ executablePath: CHROME, args: ['--no-sandbox'] });
    ({ page, requests, errors } = await openPage(browser, url));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    await filter(page, '');
  });

  it('loads from disk with no console error, no page error and no request but itself', async () => {
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    // The script ran under the page's Content-Security-Policy: it shows the filter.
    expect(await page.$eval('#filter', (e) => (e as HTMLElement).hidden)).toBe(false);
    expect(await page.$eval('#shown', (e) => e.textContent)).toBe(
      `${report.controls.length} of ${report.controls.length} controls, ` +
        `${report.acknowledgements.length} of ${report.acknowledgements.length} acknowledged findings shown`,
    );
  });

  it('refuses any fetch, by its Content-Security-Policy', async () => {
    const { page: other, errors: otherErrors } = await openPage(browser, url);
    const outcome = await other.evaluate(() =>
      fetch(location.href).then(
        () => 'loaded',
        () => 'refused',
      ),
    );
    await other.close();
    expect(outcome).toBe('refused');
    expect(otherErrors.join('\n')).toMatch(/Content Security Policy/);
  });

  it('has an anchor on a collapsed row for every control of the catalogue', async () => {
    const rows = await page.$$eval('details.control', (ds) =>
      ds.map((d) => ({ id: d.id, open: (d as HTMLDetailsElement).open })),
    );
    expect(rows.map((r) => r.id)).toEqual(CONTROLS.map((c) => c.id));
    expect(rows.filter((r) => r.open)).toEqual([]);
  });

  it('links only to anchors of the page, each of which exists', async () => {
    const hrefs = await page.$$eval('a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs.length).toBeGreaterThan(CONTROLS.length);
    const missing = await page.evaluate(
      (hrefs) => hrefs.filter((h) => !h.startsWith('#') || !document.getElementById(h.slice(1))),
      hrefs,
    );
    expect(missing).toEqual([]);
  });

  it('links from the summary to every control whose evidence fails', async () => {
    const linked = await page.$$eval('#evidence-failures a', (as) =>
      as.map((a) => a.getAttribute('href')),
    );
    const failing = report.controls.filter((c) => !c.ok).map((c) => `#${c.id}`);
    expect(failing).toEqual(['#ENC-REST', '#ENC-TRANSIT']);
    expect([...new Set(linked)]).toEqual(failing);
  });

  it('shows only the control whose id is typed into the search box', async () => {
    await page.click('#q');
    await page.keyboard.type('ENC-REST');
    expect(await visibleControls(page)).toEqual(['ENC-REST']);
    for (const { id } of CONTROLS) {
      await filter(page, id.toLowerCase());
      expect(await visibleControls(page)).toEqual([id]);
    }
  });

  it('shows the controls whose text holds every searched word', async () => {
    const resource = report.controls.flatMap((c) => c.evidence.flatMap((e) => e.failures))[0];
    const term = resource!.logicalId.toLowerCase();
    await filter(page, term);
    const expected = report.controls
      .filter((c) => JSON.stringify(c).toLowerCase().includes(term))
      .map((c) => c.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(report.controls.length);
    expect(await visibleControls(page)).toEqual(expected);
  });

  it.each(['enforced', 'partial', 'inherited'] as const)(
    'shows only %s controls when that status is selected',
    async (status) => {
      await filter(page, '', status);
      const expected = report.controls.filter((c) => c.status === status).map((c) => c.id);
      expect(expected.length).toBeGreaterThan(0);
      expect(await visibleControls(page)).toEqual(expected);
    },
  );

  it.each(['Staging', 'Production'])(
    'shows, for %s, its failing controls with that stage evidence only, and its acknowledgements',
    async (stage) => {
      await filter(page, '', 'failing', stage);
      const expected = report.controls
        .filter((c) => c.evidence.some((e) => e.stage === stage && !e.ok))
        .map((c) => c.id);
      expect(expected).toEqual([stage === 'Staging' ? 'ENC-TRANSIT' : 'ENC-REST']);
      expect(await visibleControls(page)).toEqual(expected);
      const stagesShown = await page.$$eval('details.control:not([hidden]) .ev', (es) =>
        es.map((e) => [e.getAttribute('data-stage'), !(e as HTMLElement).hidden]),
      );
      expect(stagesShown.length).toBeGreaterThan(0);
      for (const [s, shown] of stagesShown) expect(shown).toBe(s === stage);
      const acks = await visibleAcks(page);
      expect(acks).toHaveLength(
        report.acknowledgements.filter((a) => a.path.startsWith(`Bulwark-${stage}-`)).length,
      );
      for (const a of acks) expect(a).toMatch(new RegExp(`^Bulwark-${stage}-`));
    },
  );

  it('filters the acknowledged findings by text', async () => {
    const rule = report.acknowledgements[report.acknowledgements.length - 1]!.rule;
    await filter(page, rule);
    const expected = report.acknowledgements.filter((a) =>
      `${a.path}${a.rule}${a.reason}`.toLowerCase().includes(rule.toLowerCase()),
    );
    expect(expected.length).toBeLessThan(report.acknowledgements.length);
    const shown = await visibleAcks(page);
    expect(shown).toHaveLength(expected.length);
    for (const a of shown) expect(a.toLowerCase()).toContain(rule.toLowerCase());
  });

  it('opens the control an address names (report.html#ENC-REST)', async () => {
    const { page: cited, errors: citedErrors } = await openPage(browser, `${url}#BKP-DB`);
    const open = await cited.$$eval('details.control', (ds) =>
      ds.filter((d) => (d as HTMLDetailsElement).open).map((d) => d.id),
    );
    await cited.close();
    expect(open).toEqual(['BKP-DB']);
    expect(citedErrors).toEqual([]);
  });

  it('prints every control open and no filter, and closes them again afterwards', async () => {
    await page.emulateMediaType('print');
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    const printed = await page.evaluate(() => ({
      closed: Array.from(document.querySelectorAll('details')).filter((d) => !d.open).length,
      filter: getComputedStyle(document.getElementById('filter')!).display,
      body: Array.from(document.querySelectorAll('details.control .body')).filter(
        (b) => !b.checkVisibility(),
      ).length,
    }));
    await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
    await page.emulateMediaType('screen');
    expect(printed).toEqual({ closed: 0, filter: 'none', body: 0 });
    expect(
      await page.$$eval('details', (ds) => ds.filter((d) => (d as HTMLDetailsElement).open)),
    ).toEqual([]);
  });

  it('escapes what templates carry: markup in a claim, a value or a reason stays text', async () => {
    const hostile = `<script>window.__pwned = 1</script>"'><img src=x onerror="window.__pwned = 2">`;
    const [first, ...rest] = report.controls;
    const [claim, ...claims] = first!.evidence;
    const tampered: ComplianceReport = {
      ...report,
      controls: [
        {
          ...first!,
          statement: hostile,
          evidence: [
            {
              ...claim!,
              claim: hostile,
              failures: [
                {
                  stack: hostile,
                  logicalId: hostile,
                  properties: { [hostile]: JSON.stringify(hostile), Shortened: hostile },
                },
              ],
            },
            ...claims,
          ],
        },
        ...rest,
      ],
      acknowledgements: [
        { path: 'Bulwark-Staging-Data/Hostile', rule: hostile, reason: hostile },
        ...report.acknowledgements,
      ],
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-report-hostile-'));
    writeReport(tampered, dir);
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/<img|onerror="/);
    const hostileUrl = pathToFileURL(path.join(dir, 'report.html')).href;
    const { page: p, errors: e, requests: r } = await openPage(browser, hostileUrl);
    const seen = await p.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      claim: document.querySelector('details.control .claim-text b')?.textContent,
      value: document.querySelector('details.control dl.values dt')?.textContent,
      reason: document.querySelector('#acknowledgements tbody td:last-child')?.textContent,
    }));
    await p.close();
    expect(e).toEqual([]);
    expect(r).toEqual([hostileUrl]);
    expect(seen).toEqual({ pwned: undefined, claim: hostile, value: hostile, reason: hostile });
  });

  it('keeps a screenshot of the summary as a test artifact', async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'report-summary.png');
    fs.rmSync(file, { force: true });
    const summary = await page.$('#summary');
    await summary!.screenshot({ path: file });
    expect(fs.readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
  });
});
