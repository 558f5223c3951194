// A person's walk through the site, for the closing note: node walk.mjs BASE USER PASS STEP...
// STEP: goto|PATH  fill|NAME|VALUE  select|NAME|VALUE  check|NAME|VALUE  upload|NAME|FILE
//       submit[|BUTTON TEXT]  inputs (prints the form fields on the page)  shot|FILE
import { chromium } from 'playwright-core';
const [base, user, pass, ...steps] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
await page.goto(base + '/sign-in');
await page.fill('#username', user); await page.fill('#password', pass);
await Promise.all([page.waitForNavigation(), page.locator('main form button[type=submit]').click()]);
console.log('signed in, landed on', page.url());
const field = (name) => page.locator(`main [name="${name}"]`).first();
for (const step of steps) {
  const [kind, ...a] = step.split('|');
  if (kind === 'goto') await page.goto(base + a[0]);
  else if (kind === 'fill') await field(a[0]).fill(a[1]);
  else if (kind === 'select') await field(a[0]).selectOption(a[1]);
  else if (kind === 'check') await page.locator(`main input[name="${a[0]}"][value="${a[1]}"]`).check();
  else if (kind === 'upload') await field(a[0]).setInputFiles(a[1]);
  else if (kind === 'submit') {
    const button = a[0] ? page.locator('main button', { hasText: a[0] }).first() : page.locator('main form button[type=submit]').first();
    await Promise.all([page.waitForLoadState('load'), page.waitForNavigation().catch(() => {}), button.click()]);
  } else if (kind === 'inputs') {
    const names = await page.locator('main form').evaluateAll((forms) => forms.map((f) =>
      (f.getAttribute('action') || '') + ' ' + [...f.querySelectorAll('[name]')].map((e) => e.name + (e.value && e.type !== 'hidden' ? '=' + e.value.slice(0, 30) : '')).join(',')));
    console.log(names.join('\n'));
  } else if (kind === 'shot') await page.screenshot({ path: a[0], fullPage: true });
  const banner = await page.locator('.nhsuk-notification-banner, .nhsuk-error-summary').first().textContent({ timeout: 500 }).catch(() => '');
  console.log(kind, a[0] || '', '->', page.url(), (banner || '').replace(/\s+/g, ' ').trim().slice(0, 240));
}
await browser.close();
