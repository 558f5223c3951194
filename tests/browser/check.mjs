// Accessibility checks of every page type in a real browser (Debian's Chromium):
// axe-core at WCAG 2.2 A/AA, keyboard-only navigation reaching every link, no sideways
// scrolling of the page at phone widths (375 and 320 px), chart text at least 12 px as
// displayed, and screenshots at desktop and phone widths.
//
// Usage: node check.mjs BASE_URL ARTIFACT_DIR PATH...
// A PATH starting with "@" is opened signed in: with the session cookie given in the
// environment as ASSURE_SESSION.
// Prints one JSON report on stdout; exits 1 if any page has a violation or a link the
// keyboard cannot reach.

import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const [base, artifacts, ...paths] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const viewports = { desktop: { width: 1280, height: 900 }, mobile: { width: 375, height: 812 }, narrow: { width: 320, height: 640 } };
const report = [];
let failed = false;

for (const asked of paths) {
  const signedIn = asked.startsWith('@');
  const path = signedIn ? asked.slice(1) : asked;
  for (const [name, viewport] of Object.entries(viewports)) {
    const context = await browser.newContext({ viewport });
    if (signedIn) {
      await context.addCookies([{ name: 'assure_session', value: process.env.ASSURE_SESSION ?? '', url: base, httpOnly: true, secure: true, sameSite: 'Lax' }]);
    }
    const page = await context.newPage();
    // Chromium reports every resource, inline script, style or handler that the page's
    // Content-Security-Policy blocks as a console message; any one is a failure.
    const csp = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
    await page.addInitScript(() => document.addEventListener('securitypolicyviolation',
      (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`)));
    const response = await page.goto(base + path, { waitUntil: 'load' });
    // Evaluated by the browser's debugging protocol, which the page's policy does not
    // govern (an inline <script> tag would itself be a violation).
    await page.evaluate(axeSource);
    const axe = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
    });
    // The page itself must not scroll sideways: a wide table or chart scrolls in its own region.
    const overflow = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const over = document.documentElement.scrollWidth - width;
      if (over <= 0) return null;
      // Name the outermost elements that stick out, to say what to fix.
      const culprits = [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > width + 1)
        .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 1)
        .slice(0, 3)
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')}`);
      return { by: over, culprits };
    });
    // Chart text, as displayed (the SVG scaled to its box), must be at least 12 px.
    const smallest = await page.evaluate(() => {
      let min = null;
      for (const svg of document.querySelectorAll('svg[viewBox]')) {
        const box = svg.viewBox.baseVal;
        const shown = svg.getBoundingClientRect().width;
        if (!box || box.width === 0 || shown === 0) continue;
        for (const t of svg.querySelectorAll('text')) {
          const px = parseFloat(getComputedStyle(t).fontSize) * (shown / box.width);
          if (min === null || px < min) min = px;
        }
      }
      return min;
    });
    const file = `${artifacts}/${(signedIn ? 'signed-in' : '') + path.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'home'}-${name}.png`;
    await page.screenshot({ path: file, fullPage: true });

    let unreachable = [];
    let focused = 0;
    if (name === 'desktop') {
      // Every visible link, in document order, must take focus from the keyboard alone.
      // (A link inside a closed <details> is reached by opening it first, not counted.)
      const links = await page.evaluate(() => [...document.querySelectorAll('a[href]')]
        .filter((a) => !a.closest('details:not([open])') || a.closest('summary'))
        .filter((a) => a.offsetParent !== null || a.getClientRects().length > 0)
        .map((a, i) => { a.dataset.kbd = String(i); return String(i); }));
      const seen = new Set();
      await page.evaluate(() => document.activeElement?.blur());
      // Every other tab stop (a summary, a form field, a scrolling region) takes a press too.
      const stops = await page.evaluate(() => document.querySelectorAll(
        'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])').length);
      for (let i = 0; i < stops + 20; i++) {
        await page.keyboard.press('Tab');
        const id = await page.evaluate(() => document.activeElement?.dataset?.kbd ?? null);
        if (id !== null) seen.add(id);
        if (seen.size === links.length) break;
      }
      focused = seen.size;
      unreachable = links.filter((l) => !seen.has(l));
    }
    const entry = { path: asked, landed: ((u) => u.pathname + u.search)(new URL(page.url())), viewport: name, status: response.status(), violations: axe, csp_violations: csp, links_focused: focused, unreachable: unreachable.length, overflow, chart_text_px: smallest, screenshot: file };
    const tooSmall = smallest !== null && smallest < 11.95;
    if (axe.length > 0 || unreachable.length > 0 || csp.length > 0 || overflow || tooSmall) failed = true;
    report.push(entry);
    await context.close();
  }
}
await browser.close();
// Exit only once the report is written: stdout to a pipe is asynchronous, and exiting at
// once cut a report longer than the pipe's buffer (64 KiB) short.
process.stdout.write(JSON.stringify(report, null, 2) + "\n", () => process.exit(failed ? 1 : 0));
