// Screenshots for a person to look at: node shots.mjs BASE OUTDIR USER:PASS|- PATH...
import { chromium } from 'playwright-core';
const [base, out, cred, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
for (const [w, h] of [[375, 812], [1280, 900]]) {
  const ctx = await browser.newContext({ viewport: { width: w, height: h } });
  const page = await ctx.newPage();
  if (cred !== '-') {
    const [u, p] = cred.split(':');
    await page.goto(base + '/sign-in');
    await page.fill('#username', u); await page.fill('#password', p);
    await Promise.all([page.waitForNavigation(), page.click('form button[type=submit], form .nhsuk-button >> nth=-1')]);
  }
  for (const path of paths) {
    await page.goto(base + path);
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    const name = path.replace(/[^a-z0-9]+/gi, '_');
    await page.screenshot({ path: `${out}/${name}_${w}.png`, fullPage: true });
    console.log(w, path, 'scrollWidth', sw, page.url());
  }
  await ctx.close();
}
await browser.close();
