import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { Browser, Page } from 'puppeteer-core';
import { RunningLedger, startLedger, tempDataDir, TEST_KEYS } from './support/ledger-app';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = resolve(__dirname, '..');
const SCREENSHOTS = join(ROOT, '.tmp', 'screenshots');

/**
 * A new user's first call, as they would make it: open /docs in a real browser (headless Chromium over the DevTools
 * protocol), paste an API key into "Authorize", "Try it out" on GrantConsent with a body, Execute. The answer must be
 * 201, and the ledger must hold the event. Chromium is Debian's, installed by scripts/browser/ensure-chromium.sh
 * when it is missing. The last screen is left in .tmp/screenshots/ to look at.
 */
describe('Swagger UI at /docs (headless Chromium)', () => {
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;
  let browser: Browser;
  let page: Page;
  let profile: string;
  const outside: string[] = [];

  beforeAll(async () => {
    execFileSync(join(ROOT, 'scripts/browser/ensure-chromium.sh'), { stdio: 'inherit', timeout: 600_000 });
    data = tempDataDir();
    ledger = await startLedger({ dataDir: data.dir });
    expect((await ledger.http.post('/v1/clients', { clientId: 'docs-app', name: 'Docs app' })).status).toBe(201);
    profile = mkdtempSync(join(tmpdir(), 'ledger-chromium-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1400 });
    // Only this machine's service: anything else the page asks for is refused (and listed).
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol === 'data:' || url.hostname === '127.0.0.1') return void request.continue();
      outside.push(request.url());
      void request.abort();
    });
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await ledger?.close();
    data?.remove();
  });

  it('authorizes with an API key, tries GrantConsent out, and the consent is in the ledger', async () => {
    await page.goto(`${ledger.url}/docs`, { waitUntil: 'networkidle0' });

    // Authorize: the bearer scheme's value field and its Authorize button (the first form), then close the dialog.
    await page.click('.scheme-container button.authorize');
    const bearerInput = await page.waitForSelector('#auth-bearer-value');
    await bearerInput!.type(TEST_KEYS.commands.secret);
    await page.click('.modal-ux .auth-container:first-of-type button.authorize');
    await page.waitForSelector('.modal-ux ::-p-text(Logout)');
    await page.click('.modal-ux button.close-modal');

    // GrantConsent: open it, Try it out, a body, Execute.
    const operation = '#operations-consents-GrantConsentController_grant';
    await page.click(`${operation} .opblock-summary`);
    await page.waitForSelector(`${operation} .try-out__btn`);
    await page.click(`${operation} .try-out__btn`);
    const body = await page.waitForSelector(`${operation} textarea.body-param__text`);
    await body!.click({ count: 3 });
    await page.keyboard.down('Control');
    await page.keyboard.press('A');
    await page.keyboard.up('Control');
    await page.keyboard.press('Backspace');
    await body!.type(JSON.stringify({ userId: 'docs-user', clientId: 'docs-app', scopes: ['openid', 'email'] }));
    await page.click(`${operation} button.execute`);
    const status = await page.waitForSelector(`${operation} .live-responses-table tbody .response-col_status`);
    const shown = (await status!.evaluate((el) => el.textContent ?? '')).trim();
    const curl = await page.$eval(`${operation} .curl-command`, (el) => el.textContent ?? '');

    await page.$eval(`${operation} .responses-wrapper`, (el) => el.scrollIntoView());
    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = join(SCREENSHOTS, 'docs-grant-consent.png');
    await page.screenshot({ path: file });
    expect(statSync(file).size).toBeGreaterThan(10_000);

    expect(shown).toMatch(/^201/);
    // Swagger UI sent the credential because the operation declares its security requirement.
    expect(curl).toContain(`Authorization: Bearer ${TEST_KEYS.commands.secret}`);
    const granted = (await ledger.events()).filter((e) => e.type === 'ConsentGranted' && (e.data as { userId?: string }).userId === 'docs-user');
    expect(granted).toHaveLength(1);
    expect(granted[0].metadata).toMatchObject({ actor: TEST_KEYS.commands.name });
    expect(outside).toEqual([]);
  }, 120_000);
});
