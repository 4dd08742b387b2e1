// Logs in to the dashboard as a user in headless Chromium, waits until
// every panel has loaded, checks that the summary shown equals orders
// GetBusinessSummary for the same org unit and period (asked by this
// script through the gateway with the same user's token), that no panel
// shows an error, and saves a screenshot.
//
// Environment: CRM_GATEWAY_URL (http://127.0.0.1:PORT), CRM_USERNAME,
// CRM_PASSWORD, CRM_SCREENSHOT (png path), CRM_CHROMIUM (default
// /usr/bin/chromium), CRM_EXPECT_JSON (optional: {"signed": "1200000",
// ...} minor units / counts the summary must show). Exit 0 when every
// check passes; 1 with one line per failure otherwise; 77 when the browser
// cannot be started.
import { chromium } from 'playwright-core';

const url = process.env.CRM_GATEWAY_URL;
const username = process.env.CRM_USERNAME || 'boss';
const password = process.env.CRM_PASSWORD || 'Demo-pass-2026!';
const screenshot = process.env.CRM_SCREENSHOT || 'dashboard.png';
const executablePath = process.env.CRM_CHROMIUM || '/usr/bin/chromium';
const expect = JSON.parse(process.env.CRM_EXPECT_JSON || '{}');
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

// The dashboard's money format (app.js fmtMoney), for the visible text.
function fmtMinor(v) {
  const n = Number(v) / 100;
  if (Math.abs(n) >= 10000) return `¥${(n / 10000).toFixed(1)}万`;
  return `¥${n.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
const fmtRatio = r => `${(Number(r || 0) * 100).toFixed(1)}%`;

async function post(path, token, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body) });
  const data = await res.json();
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(data)}`);
  return data;
}

let browser;
try {
  browser = await chromium.launch({
    executablePath, headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
} catch (e) {
  console.log(`cannot start ${executablePath}: ${e.message.split('\n')[0]}`);
  process.exit(77);
}

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', timezoneId: 'UTC' });
  page.on('pageerror', e => failures.push(`page error: ${e.message}`));
  page.on('console', m => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) failures.push(`console error: ${m.text()}`);
  });
  page.on('response', r => { if (r.status() >= 400) failures.push(`HTTP ${r.status()} for ${r.url()}`); });
  await page.goto(url + '/', { waitUntil: 'load' });
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#dashboard[data-ready="true"]', { timeout: 60000 });

  // The summary as shown.
  const card = page.locator('#p-summary');
  const orgPath = await card.getAttribute('data-org-path');
  const period = await card.getAttribute('data-period');
  const shown = await page.$$eval('#p-summary .kpi[data-field]', ks => Object.fromEntries(
    ks.map(k => [k.dataset.field, { value: k.dataset.value, text: k.querySelector('.kpi-value').textContent }])));
  check(orgPath && period, `summary has no org path / period (${orgPath}, ${period})`);

  // The same summary straight from the gateway.
  const login = await post('/v1/login', '', { username, password });
  const s = await post('/v1/crm.orders.v1.OrdersService/GetBusinessSummary', login.accessToken,
    { orgPath, period });
  check(s.orgPath === orgPath && s.period === period,
    `summary is for ${s.orgPath} ${s.period}, the page shows ${orgPath} ${period}`);
  const money = ['signedTarget', 'signed', 'receivedTarget', 'received', 'renewalAmount', 'overdueOutstanding'];
  for (const f of money) {
    const want = String(Number((s[f] || {}).amountMinor || 0));
    check(shown[f] && shown[f].value === want, `${f}: page ${shown[f] && shown[f].value}, RPC ${want}`);
    check(shown[f] && shown[f].text === fmtMinor(want), `${f}: page shows "${shown[f] && shown[f].text}", want "${fmtMinor(want)}"`);
  }
  for (const f of ['contractsSigned', 'newCustomers', 'renewalCustomers']) {
    const want = String(Number(s[f] || 0));
    check(shown[f] && shown[f].value === want && shown[f].text === want,
      `${f}: page ${JSON.stringify(shown[f])}, RPC ${want}`);
  }
  for (const f of ['signedRate', 'receivedRate', 'renewalRate']) {
    const want = Number(s[f] || 0);
    check(shown[f] && Number(shown[f].value) === want && shown[f].text === fmtRatio(want),
      `${f}: page ${JSON.stringify(shown[f])}, RPC ${want}`);
  }
  for (const [f, want] of Object.entries(expect)) {
    check(shown[f] && shown[f].value === String(want), `${f}: page ${shown[f] && shown[f].value}, expected ${want}`);
  }

  // The collections panel shows what ListPendingCollections answers.
  const pending = await post('/v1/crm.orders.v1.OrdersService/ListPendingCollections', login.accessToken,
    { orgPath, pageSize: 100 });
  const shownCount = await page.getAttribute('#p-collections .kpi[data-field=overdueCount]', 'data-value');
  const shownTotal = await page.getAttribute('#p-collections .kpi[data-field=overdueTotal]', 'data-value');
  check(shownCount === String((pending.items || []).length),
    `collections: page ${shownCount} items, RPC ${(pending.items || []).length}`);
  check(shownTotal === String(Number(pending.totalOutstanding.amountMinor)),
    `collections: page ${shownTotal}, RPC ${pending.totalOutstanding.amountMinor}`);
  const rows = await page.$$eval('#p-collections tbody tr', trs => trs.length);
  check(rows === (pending.items || []).length, `collections: ${rows} rows shown`);

  // No panel failed or was left loading.
  const errors = await page.$$eval('#panels .card', cs => cs
    .filter(c => c.querySelector('.error, .unavailable') || /加载中/.test(c.textContent))
    .map(c => `${c.id}: ${c.textContent.slice(0, 120)}`));
  for (const e of errors) failures.push(`panel not loaded: ${e}`);
  const panels = await page.$$eval('#panels .card', cs => cs.map(c => c.id));
  check(panels.length === 7, `panels: ${panels.join(',')}`);

  await page.screenshot({ path: screenshot, fullPage: true });
  // And on a phone screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 390, `the page is ${wide}px wide on a 390px phone screen`);
  await page.screenshot({ path: screenshot.replace(/\.png$/, '-phone.png'), fullPage: true });
  console.log(`summary ${orgPath} ${period}: ${JSON.stringify(Object.fromEntries(
    Object.entries(shown).map(([k, v]) => [k, v.value])))}`);
  console.log(`screenshots: ${screenshot}`);
} catch (e) {
  failures.push(`error: ${e.stack || e.message}`);
} finally {
  await browser.close();
}
for (const f of failures) console.log(`FAIL ${f}`);
process.exit(failures.length ? 1 : 0);
