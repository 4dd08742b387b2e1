// CRM dashboard: login, then panels fed by the gateway's JSON API
// (POST /v1/<package.Service>/<Method>). Every panel is independent: a
// backend that is missing (404/501/503) shows "not available yet". Each
// panel sends the real request fields of its RPC and reads the real reply
// fields (proto3 JSON names; the table in docs/api-gateway.md).
'use strict';

const TOKEN_KEY = 'crm.accessToken';
const USER_KEY = 'crm.user';
const ORDERS = 'crm.orders.v1.OrdersService';
const OPPS = 'crm.opportunities.v1.OpportunitiesService';
const ACCOUNTS = 'crm.accounts.v1.AccountsService';
const IDENTITY = 'crm.identity.v1.IdentityService';

// ---------------------------------------------------------------- api --

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.code) || '';
  }
  get unavailable() { return [404, 501, 503].includes(this.status); }
}

function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }

const REFRESH_KEY = 'crm.refreshToken';
const REFRESH_PATH = `/v1/${'crm.identity.v1.IdentityService'}/RefreshToken`;

async function send(method, path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (token() && path !== '/v1/login' && path !== REFRESH_PATH) {
    headers.Authorization = 'Bearer ' + token();
  }
  const res = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  return { res, data };
}

// Access tokens live 15 minutes: on a 401 the refresh token (rotated by
// identity on every use) buys a new pair once; only then is the user sent
// back to the login form.
let refreshing = null;
async function refreshTokens() {
  const refresh = sessionStorage.getItem(REFRESH_KEY);
  if (!refresh) return false;
  if (!refreshing) {
    refreshing = send('POST', REFRESH_PATH, { refreshToken: refresh }).then(({ res, data }) => {
      if (!res.ok || !data) return false;
      storeTokens(data);
      return true;
    }).finally(() => { setTimeout(() => { refreshing = null; }, 0); });
  }
  return refreshing;
}

function storeTokens(r) {
  sessionStorage.setItem(TOKEN_KEY, r.accessToken || r.access_token || '');
  const refresh = r.refreshToken || r.refresh_token;
  if (refresh) sessionStorage.setItem(REFRESH_KEY, refresh);
}

async function http(method, path, body) {
  let { res, data } = await send(method, path, body);
  if (res.status === 401 && path !== '/v1/login' && path !== REFRESH_PATH &&
      await refreshTokens()) {
    ({ res, data } = await send(method, path, body));
  }
  if (!res.ok) {
    if (res.status === 401 && path !== '/v1/login') logout();
    throw new ApiError(res.status, data);
  }
  return data;
}

const rpc = (service, method, body) => http('POST', `/v1/${service}/${method}`, body || {});

// --------------------------------------------------------- read fields --
//
// Replies follow the proto3 JSON mapping of the gateway: lowerCamelCase
// names, int64 as strings, Money as {currencyCode, amountMinor}, every
// field printed (zero values included). The panels read the real fields of
// each reply (see docs/api-gateway.md, "Dashboard").

const minor = m => Number((m && m.amountMinor) || 0);
const int = v => Number(v || 0);

// ¥ with two decimals below 10 000 yuan, "万" above (one decimal).
function fmtMoney(m) {
  const n = minor(m) / 100;
  const cur = (m && m.currencyCode) || 'CNY';
  const sign = cur === 'CNY' ? '¥' : cur + ' ';
  if (Math.abs(n) >= 10000) return `${sign}${(n / 10000).toFixed(1)}万`;
  return `${sign}${n.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
const fmtMinor = v => fmtMoney({ amountMinor: v });
// A ratio (0.6 = 60%).
const fmtRatio = r => `${(Number(r || 0) * 100).toFixed(1)}%`;
// Basis points (6000 = 60%).
const fmtBp = bp => `${(Number(bp || 0) / 100).toFixed(1)}%`;

// Display names of users and accounts by id, fetched once per id.
const userNames = new Map();
async function loadUserNames(ids) {
  const missing = [...new Set(ids.map(String))].filter(id => id !== '0' && !userNames.has(id));
  if (!missing.length) return;
  try {
    const r = await rpc(IDENTITY, 'BatchGetUsers', { ids: missing });
    for (const u of r.users || []) userNames.set(String(u.id), u.displayName || u.username);
  } catch (e) { /* names are a nicety: ids stay shown */ }
}
const userName = id => userNames.get(String(id)) || `#${id}`;

const accountNames = new Map();
async function loadAccountNames(ids) {
  const missing = [...new Set(ids.map(String))].filter(id => id !== '0' && !accountNames.has(id));
  await Promise.all(missing.slice(0, 50).map(async id => {
    try {
      const a = await rpc(ACCOUNTS, 'GetAccount', { id });
      accountNames.set(id, a.name);
    } catch (e) { accountNames.set(id, `#${id}`); }
  }));
}
const accountName = id => accountNames.get(String(id)) || `#${id}`;

// The period of the filters: month, quarter or year containing today.
function periodOf(kind, ref) {
  const d = ref || new Date();
  let start, end, periodLabel;
  if (kind === 'year') {
    start = new Date(d.getFullYear(), 0, 1);
    end = new Date(d.getFullYear() + 1, 0, 1);
    periodLabel = String(d.getFullYear());
  } else if (kind === 'quarter') {
    const q = Math.floor(d.getMonth() / 3);
    start = new Date(d.getFullYear(), q * 3, 1);
    end = new Date(d.getFullYear(), q * 3 + 3, 1);
    periodLabel = `${d.getFullYear()}-Q${q + 1}`;
  } else {
    start = new Date(d.getFullYear(), d.getMonth(), 1);
    end = new Date(d.getFullYear(), d.getMonth() + 1, 1);
    periodLabel = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
  }
  return { kind, start, end, periodLabel };
}

// ------------------------------------------------------------ rendering --

const $ = sel => document.querySelector(sel);
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

const charts = new Map();
function chart(canvas, id, config) {
  if (charts.has(id)) { charts.get(id).destroy(); charts.delete(id); }
  if (typeof window.Chart !== 'function') return null;  // vendor file missing
  const c = new window.Chart(canvas, config);
  charts.set(id, c);
  return c;
}
const COLORS = ['#2563eb', '#16a34a', '#f59e0b', '#dc2626', '#7c3aed', '#0891b2',
  '#db2777', '#65a30d'];

// A table of `rows` with `cols` = [[header, row => text], ...].
function table(rows, cols) {
  if (!rows.length) return el('p', { class: 'muted', text: '暂无数据' });
  const t = el('table', {},
    el('thead', {}, el('tr', {}, ...cols.map(([h]) => el('th', { text: h })))),
    el('tbody', {}, ...rows.map(r => el('tr', {},
      ...cols.map(([, f]) => el('td', { text: String(f(r)) }))))));
  return el('div', { class: 'table-wrap' }, t);
}

// One panel: a card with a title whose body is filled by `load`.
async function panel(id, title, load) {
  let card = document.getElementById(id);
  if (!card) {
    card = el('section', { id, class: 'card panel' });
    $('#panels').append(card);
  }
  card.replaceChildren(el('h2', { text: title }), el('p', { class: 'muted', text: '加载中…' }));
  const body = el('div', { class: 'panel-body' });
  try {
    await load(body);
    card.replaceChildren(el('h2', { text: title }), body);
  } catch (e) {
    const msg = e instanceof ApiError && e.unavailable ?
      '暂未开放 (not available yet)' :
      e instanceof ApiError && e.status === 403 ? '无权查看' : `加载失败：${e.message}`;
    card.replaceChildren(el('h2', { text: title }),
      el('p', { class: e.unavailable ? 'muted unavailable' : 'error', text: msg }));
  }
}

function kpi(labelText, value, sub) {
  return el('div', { class: 'kpi' }, el('div', { class: 'kpi-label', text: labelText }),
    el('div', { class: 'kpi-value', text: value }),
    sub ? el('div', { class: 'kpi-sub', text: sub }) : null);
}

// ---------------------------------------------------------------- panels --

// A KPI whose raw value is kept in data-value (minor units, a count or a
// ratio), so tests compare what is shown with the RPC's reply.
function kpiOf(field, labelText, value, text, sub) {
  const k = kpi(labelText, text, sub);
  k.dataset.field = field;
  k.dataset.value = String(value);
  return k;
}

// orders GetBusinessSummary: targets vs signed vs received, renewals, new
// vs renewal customers, overdue.
async function summaryPanel(f) {
  await panel('p-summary', '目标 · 签约 · 回款', async body => {
    const s = await rpc(ORDERS, 'GetBusinessSummary', { orgPath: f.unitPath, period: f.periodLabel });
    const card = document.getElementById('p-summary');
    card.dataset.orgPath = s.orgPath;
    card.dataset.period = s.period;
    body.append(el('div', { class: 'kpis' },
      kpiOf('signedTarget', '签约目标', minor(s.signedTarget), fmtMoney(s.signedTarget)),
      kpiOf('signed', '签约金额', minor(s.signed), fmtMoney(s.signed),
        `达成率 ${fmtRatio(s.signedRate)} · ${int(s.contractsSigned)} 份合同`),
      kpiOf('receivedTarget', '回款目标', minor(s.receivedTarget), fmtMoney(s.receivedTarget)),
      kpiOf('received', '回款金额', minor(s.received), fmtMoney(s.received),
        `达成率 ${fmtRatio(s.receivedRate)}`),
      kpiOf('renewalAmount', '续费金额', minor(s.renewalAmount), fmtMoney(s.renewalAmount),
        `续费率 ${fmtRatio(s.renewalRate)} (${int(s.renewalsDone)}/${int(s.renewalsDue)})`),
      kpiOf('overdueOutstanding', '逾期未收', minor(s.overdueOutstanding), fmtMoney(s.overdueOutstanding),
        `${int(s.overdueInstallments)} 期逾期`)));
    const rates = el('div', { class: 'kpis rates' },
      kpiOf('signedRate', '签约达成率', Number(s.signedRate || 0), fmtRatio(s.signedRate)),
      kpiOf('receivedRate', '回款达成率', Number(s.receivedRate || 0), fmtRatio(s.receivedRate)),
      kpiOf('renewalRate', '续费率', Number(s.renewalRate || 0), fmtRatio(s.renewalRate)),
      kpiOf('contractsSigned', '签约合同', int(s.contractsSigned), String(int(s.contractsSigned))),
      kpiOf('newCustomers', '新客户', int(s.newCustomers), String(int(s.newCustomers))),
      kpiOf('renewalCustomers', '续费客户', int(s.renewalCustomers), String(int(s.renewalCustomers))));
    body.append(rates);
    const row = el('div', { class: 'chart-row' });
    const bars = el('canvas');
    row.append(el('div', { class: 'chart' }, bars));
    chart(bars, 'summary', {
      type: 'bar',
      data: {
        labels: ['签约', '回款'],
        datasets: [
          { label: '目标', data: [minor(s.signedTarget) / 100, minor(s.receivedTarget) / 100], backgroundColor: '#cbd5e1' },
          { label: '实际', data: [minor(s.signed) / 100, minor(s.received) / 100], backgroundColor: COLORS[0] },
        ],
      },
      options: { maintainAspectRatio: false, animation: false,
        scales: { y: { beginAtZero: true, ticks: { callback: v => fmtMinor(v * 100) } } } },
    });
    const newRenew = el('canvas');
    row.append(el('div', { class: 'chart small' }, newRenew));
    chart(newRenew, 'newrenew', {
      type: 'doughnut',
      data: { labels: ['新客户', '续费客户'],
        datasets: [{ data: [int(s.newCustomers), int(s.renewalCustomers)], backgroundColor: COLORS.slice(0, 2) }] },
      options: { maintainAspectRatio: false, animation: false,
        plugins: { title: { display: true, text: '新客户 vs 续费客户' } } },
    });
    body.append(row);
  });
}

function boardList(entries, nameOf) {
  if (!entries.length) return el('p', { class: 'muted', text: '暂无数据' });
  const list = el('ol', { class: 'leaderboard' });
  for (const e of entries) {
    const change = int(e.rankChange);
    const li = el('li', {},
      el('span', { class: 'rank', text: String(int(e.rank)) }),
      el('span', { class: 'name', text: nameOf(e.member) }),
      el('span', { class: 'score', text: fmtMinor(int(e.score)) }),
      el('span', { class: 'change ' + (e.isNew ? 'new' : change > 0 ? 'up' : change < 0 ? 'down' : 'same'),
        text: e.isNew ? '新上榜' : change > 0 ? `▲${change}` : change < 0 ? `▼${-change}` : '—' }));
    li.dataset.member = e.member;
    li.dataset.score = String(int(e.score));
    list.append(li);
  }
  return list;
}

// orders GetLeaderboard (boards are daily/weekly/monthly: this month's):
// the child units of the chosen unit, then individuals.
async function leaderboardPanel(f) {
  await panel('p-leaderboard', '本月签约排行榜', async body => {
    const metric = 'METRIC_SIGNED_AMOUNT';
    const kind = 'PERIOD_KIND_MONTH';
    const children = units.filter(u => String(u.parentId) === String(f.unitId));
    if (children.length) {
      const teams = await rpc(ORDERS, 'GetLeaderboard',
        { metric, periodKind: kind, parentOrgPath: f.unitPath, topN: 20 });
      body.append(el('h3', { text: '团队' }),
        boardList(teams.entries || [], id => (unitById.get(String(id)) || {}).name || `#${id}`));
    }
    const people = await rpc(ORDERS, 'GetLeaderboard', { metric, periodKind: kind, topN: 10 });
    const entries = people.entries || [];
    await loadUserNames(entries.map(e => e.member));
    body.append(el('h3', { text: '个人' }), boardList(entries, userName));
  });
}

// opportunities pipelines (cached): the funnel and stages need one.
let pipelinesCache = null;
async function pipelines() {
  if (!pipelinesCache) {
    pipelinesCache = rpc(OPPS, 'ListPipelines', {}).then(r => (r.pipelines || []).filter(p => p.active));
  }
  return pipelinesCache;
}
const stageName = (p, code) => ((p.stages || []).find(s => s.code === code) || {}).name || code;

function stageChart(body, id, labels, values, label) {
  if (!values.some(v => v > 0)) {
    body.append(el('p', { class: 'muted', text: '暂无商机' }));
    return;
  }
  const canvas = el('canvas');
  body.append(el('div', { class: 'chart' }, canvas));
  chart(canvas, id, {
    type: 'bar',
    data: { labels, datasets: [{ label, data: values, backgroundColor: COLORS[0] }] },
    options: { indexAxis: 'y', plugins: { legend: { display: false } }, maintainAspectRatio: false,
      animation: false, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}

// opportunities GetFunnel per active pipeline with opportunities created
// in the period (the first pipeline when none has any).
async function funnelPanel(f) {
  await panel('p-funnel', '销售漏斗', async body => {
    const list = await pipelines();
    const funnels = await Promise.all(list.map(p => rpc(OPPS, 'GetFunnel', {
      pipelineId: p.id, orgUnitId: f.unitId,
      createFrom: f.start.toISOString(), createTo: f.end.toISOString(),
    }).then(r => ({ p, r }))));
    let shown = funnels.filter(x => int(x.r.totalCount) > 0);
    if (!shown.length) shown = funnels.slice(0, 1);
    for (const { p, r } of shown) {
      const stages = r.stages || [];
      body.append(el('h3', { text: `${p.name} · ${int(r.totalCount)} 个商机 · 赢率 ${fmtBp(r.winRateBp)}` }));
      stageChart(body, `funnel-${p.id}`, stages.map(s => stageName(p, s.stage)),
        stages.map(s => int(s.reachedCount)), '到达');
      body.append(table(stages, [
        ['阶段', s => stageName(p, s.stage)],
        ['当前', s => int(s.currentCount)],
        ['当前金额', s => fmtMinor(int(s.currentAmountMinor))],
        ['累计到达', s => int(s.reachedCount)],
        ['转化率', s => (s.kind === 'STAGE_KIND_OPEN' ? fmtBp(s.conversionToNextBp) : '—')],
      ]));
    }
  });
}

// opportunities GetAccountsByStage, per active pipeline with accounts.
async function accountsByStagePanel(f) {
  await panel('p-stages', '客户阶段分布', async body => {
    const list = await pipelines();
    const all = await Promise.all(list.map(p =>
      rpc(OPPS, 'GetAccountsByStage', { pipelineId: p.id, orgUnitId: f.unitId, accountsPerStage: 1 })
        .then(r => ({ p, stages: r.stages || [] }))));
    let shown = all.filter(x => x.stages.some(s => int(s.accountCount) > 0));
    if (!shown.length) shown = all.slice(0, 1);
    for (const { p, stages } of shown) {
      body.append(el('h3', { text: p.name }));
      stageChart(body, `stages-${p.id}`, stages.map(s => stageName(p, s.stage)),
        stages.map(s => int(s.accountCount)), '客户数');
    }
  });
}

// orders ListPendingCollections: installments the overdue check flagged
// (past due, not fully paid), longest overdue first.
async function collectionsPanel(f) {
  await panel('p-collections', '待回款 · 逾期清单', async body => {
    const r = await rpc(ORDERS, 'ListPendingCollections', { orgPath: f.unitPath, pageSize: 100 });
    const items = (r.items || []).slice().sort((a, b) => int(b.daysOverdue) - int(a.daysOverdue));
    await Promise.all([loadAccountNames(items.map(i => i.accountId)),
      loadUserNames(items.map(i => i.ownerId))]);
    body.append(el('div', { class: 'kpis' },
      kpiOf('overdueCount', '逾期笔数', items.length, String(items.length) + (r.nextPageToken ? '+' : '')),
      kpiOf('overdueTotal', '逾期未收金额', minor(r.totalOutstanding), fmtMoney(r.totalOutstanding))));
    body.append(table(items, [
      ['客户', i => accountName(i.accountId)],
      ['期次', i => `第 ${int(i.installmentIndex) + 1} 期`],
      ['应收日期', i => i.dueDate],
      ['应收', i => fmtMoney(i.amount)],
      ['未收', i => fmtMoney(i.outstanding)],
      ['逾期天数', i => int(i.daysOverdue)],
      ['负责人', i => userName(i.ownerId)],
    ]));
  });
}

// orders ListRenewalCandidates (key accounts): contracts ending within six
// months.
async function renewalsPanel() {
  await panel('p-renewals', '重点客户续约', async body => {
    const r = await rpc(ORDERS, 'ListRenewalCandidates', { keyAccountsOnly: true, pageSize: 100 });
    const rows = r.candidates || [];
    await Promise.all([loadAccountNames(rows.map(c => c.accountId)),
      loadUserNames(rows.map(c => c.ownerId))]);
    body.append(table(rows, [
      ['客户', c => accountName(c.accountId)],
      ['合同到期', c => c.endDate],
      ['近两年签约', c => fmtMoney(c.signedLast2Years)],
      ['负责人', c => userName(c.ownerId)],
    ]));
  });
}

// accounts ListAccounts of the unit's subtree, counted by tier (first 1000).
async function tiersPanel(f) {
  await panel('p-tiers', '客户分级 A/B/C', async body => {
    const counts = { TIER_A: 0, TIER_B: 0, TIER_C: 0, TIER_UNSPECIFIED: 0 };
    let pageToken = '';
    let seen = 0;
    for (let page = 0; page < 5; page++) {
      const req = { orgUnitId: f.unitId, pageSize: 200 };
      if (pageToken) req.pageToken = pageToken;
      const r = await rpc(ACCOUNTS, 'ListAccounts', req);
      for (const a of (r.accounts || [])) {
        const t = a.tier || 'TIER_UNSPECIFIED';
        counts[t] = (counts[t] || 0) + 1;
        seen++;
      }
      pageToken = r.nextPageToken || '';
      if (!pageToken) break;
    }
    body.append(el('div', { class: 'kpis' },
      kpiOf('tierA', 'A 类', counts.TIER_A, String(counts.TIER_A)),
      kpiOf('tierB', 'B 类', counts.TIER_B, String(counts.TIER_B)),
      kpiOf('tierC', 'C 类', counts.TIER_C, String(counts.TIER_C)),
      kpiOf('tierNone', '未分级', counts.TIER_UNSPECIFIED, String(counts.TIER_UNSPECIFIED))));
    if (pageToken) body.append(el('p', { class: 'muted', text: `仅统计前 ${seen} 个客户` }));
    const canvas = el('canvas');
    body.append(el('div', { class: 'chart small' }, canvas));
    chart(canvas, 'tiers', {
      type: 'doughnut',
      data: { labels: ['A', 'B', 'C', '未分级'],
        datasets: [{ data: [counts.TIER_A, counts.TIER_B, counts.TIER_C, counts.TIER_UNSPECIFIED],
          backgroundColor: COLORS.slice(0, 4) }] },
      options: { maintainAspectRatio: false, animation: false },
    });
  });
}

// ----------------------------------------------------------- dashboard --

// The caller's org subtree (identity GetOrgSubtree), for the unit filter
// and the team leaderboard's names.
let units = [];
const unitById = new Map();

function filters() {
  const u = unitById.get($('#unit').value) || {};
  return { ...periodOf($('#period').value), unitId: u.id || '0', unitPath: u.path || '' };
}

async function refresh() {
  const f = filters();
  const dash = $('#dashboard');
  dash.dataset.ready = 'false';
  await Promise.all([summaryPanel(f), leaderboardPanel(f), funnelPanel(f),
    accountsByStagePanel(f), collectionsPanel(f), renewalsPanel(f), tiersPanel(f)]);
  dash.dataset.ready = 'true';
}

async function loadUnits() {
  const select = $('#unit');
  select.replaceChildren();
  units = [];
  unitById.clear();
  try {
    const r = await rpc(IDENTITY, 'GetOrgSubtree', {});
    units = r.orgUnits || [];
  } catch (e) { units = []; }
  const top = units.length ? Math.min(...units.map(u => int(u.depth))) : 0;
  for (const u of units) {
    unitById.set(String(u.id), u);
    select.append(el('option', { value: u.id, text: '　'.repeat(int(u.depth) - top) + u.name }));
  }
  if (!units.length) select.append(el('option', { value: '', text: '我的范围' }));
}

function showDashboard() {
  const user = JSON.parse(sessionStorage.getItem(USER_KEY) || '{}');
  $('#login-view').hidden = true;
  $('#who').hidden = false;
  $('#who').textContent = user.displayName || user.username || '';
  $('#logout').hidden = false;
  const dash = $('#dashboard');
  dash.hidden = false;
  dash.replaceChildren(
    el('div', { class: 'filters card' },
      el('label', {}, '组织 ', el('select', { id: 'unit' })),
      el('label', {}, '期间 ', (() => {
        const s = el('select', { id: 'period' });
        for (const [v, t] of [['month', '本月'], ['quarter', '本季度'], ['year', '本年']]) {
          s.append(el('option', { value: v, text: t }));
        }
        return s;
      })()),
      el('button', { id: 'refresh', type: 'button', text: '刷新' })),
    el('div', { id: 'panels', class: 'panels' }));
  $('#refresh').addEventListener('click', refresh);
  $('#period').addEventListener('change', refresh);
  $('#unit').addEventListener('change', refresh);
  loadUnits().then(refresh);
}

function logout() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(REFRESH_KEY);
  sessionStorage.removeItem(USER_KEY);
  for (const c of charts.values()) c.destroy();
  charts.clear();
  $('#dashboard').hidden = true;
  $('#dashboard').replaceChildren();
  $('#login-view').hidden = false;
  $('#who').hidden = true;
  $('#logout').hidden = true;
}

async function onLogin(ev) {
  ev.preventDefault();
  $('#login-error').textContent = '';
  try {
    const r = await http('POST', '/v1/login',
      { username: $('#username').value.trim(), password: $('#password').value });
    storeTokens(r);
    sessionStorage.setItem(USER_KEY, JSON.stringify(r.user || {}));
    $('#password').value = '';
    showDashboard();
  } catch (e) {
    $('#login-error').textContent = e.status === 401 ? '用户名或密码错误' :
      e.status === 429 ? '尝试次数过多，请稍后再试' : `登录失败：${e.message}`;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('#login-form').addEventListener('submit', onLogin);
  $('#logout').addEventListener('click', logout);
  if (token()) showDashboard();
});
