// A person's steps, for the closing note: node scenario.mjs BASE USER PASS STEP...
// STEP: open-round:NAME:DEADLINE:SCOPE | update:PATH:STATUS:NARRATIVE | close:ID | shot:PATH:FILE
import { chromium } from 'playwright-core';
const [base, user, pass, ...steps] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
await page.goto(base + '/sign-in');
await page.fill('#username', user); await page.fill('#password', pass);
await Promise.all([page.waitForNavigation(), page.locator('main form button[type=submit]').click()]);
console.log('signed in, landed on', page.url());
for (const step of steps) {
  const [kind, ...a] = step.split('|');
  if (kind === 'open-round') {
    await page.goto(base + '/rounds/new');
    await page.fill('#name', a[0]); await page.fill('#deadline', a[1]); await page.selectOption('#scope', a[2]);
    await Promise.all([page.waitForNavigation(), page.locator('main form button[type=submit]').click()]);
  } else if (kind === 'update') {
    await page.goto(base + a[0]);
    await page.check(`input[name=status][value=${a[1]}]`);
    await page.fill('#narrative', a[2]);
    await Promise.all([page.waitForNavigation(), page.locator('main form button[type=submit]').last().click()]);
  } else if (kind === 'close') {
    await page.goto(base + a[0]);
    await Promise.all([page.waitForNavigation(), page.locator('form[action$="/close"] button').click()]);
  } else if (kind === 'shot') {
    await page.goto(base + a[0]);
    await page.screenshot({ path: a[1], fullPage: true });
  }
  const banner = await page.locator('.nhsuk-notification-banner, .nhsuk-error-summary').first().textContent().catch(() => '');
  console.log(kind, '->', page.url(), (banner || '').replace(/\s+/g, ' ').trim().slice(0, 200));
}
await browser.close();
