// CRM dashboard: login, then panels fed by the gateway's JSON API
// (POST /v1/<package.Service>/<Method>). Every panel is independent: a
// backend that is missing (404/501/503) shows "not available yet"; fields
// are read defensively (camelCase or snake_case, any of several names),
// because the services behind the panels evolve on their own.
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

// Field descriptions of a method's input (GET /v1/describe/...), cached.
const described = new Map();
async function describe(service, method) {
  const key = service + '/' + method;
  if (!described.has(key)) {
    described.set(key, http('GET', `/v1/describe/${service}/${method}`)
      .then(d => (d && d.input && d.input.fields) || []));
  }
  return described.get(key);
}

// --------------------------------------------------------- read fields --

const camel = s => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const snake = s => s.replace(/[A-Z]/g, c => '_' + c.toLowerCase());

// The first of `names` present in `obj` (camelCase or snake_case).
function pick(obj, ...names) {
  if (!obj || typeof obj !== 'object') return undefined;
  for (const n of names) {
    for (const k of [n, camel(n), snake(n)]) {
      if (obj[k] !== undefined && obj[k] !== null) return obj[k];
    }
  }
  return undefined;
}

const isMoney = v => v && typeof v === 'object' &&
  (v.amountMinor !== undefined || v.amount_minor !== undefined);
const moneyValue = v => Number(pick(v, 'amount_minor') || 0) / 100;
const num = v => (isMoney(v) ? moneyValue(v) : Number(v || 0));

function fmtMoney(v) {
  const n = isMoney(v) ? moneyValue(v) : Number(v || 0);
  const cur = isMoney(v) ? (pick(v, 'currency_code') || 'CNY') : 'CNY';
  if (Math.abs(n) >= 10000) return `${cur === 'CNY' ? '¥' : cur + ' '}${(n / 10000).toFixed(1)}万`;
  return `${cur === 'CNY' ? '¥' : cur + ' '}${n.toLocaleString('zh-CN', { maximumFractionDigits: 2 })}`;
}

function fmtRate(v) {
  let n = Number(v);
  if (!isFinite(n)) return '—';
  if (Math.abs(n) > 1.5) n = n / 100;  // percent, or basis points below
  if (Math.abs(n) > 15) n = n / 100;
  return (n * 100).toFixed(1) + '%';
}

function fmtValue(key, v) {
  if (v === undefined || v === null) return '—';
  if (isMoney(v)) return fmtMoney(v);
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return v.slice(0, 10);
  if (/rate|ratio|percent/i.test(key)) return fmtRate(v);
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'object') return Array.isArray(v) ? `${v.length} 项` : JSON.stringify(v);
  if (typeof v === 'string' && /^[A-Z]+(_[A-Z0-9]+)+$/.test(v)) {
    return v.split('_').slice(-1)[0];  // enum: ACCOUNT_STAGE_WON -> WON
  }
  return String(v);
}

const LABELS = {
  target: '目标', signed: '签约', received: '回款', collected: '回款',
  renewal: '续费', rate: '率', achievement: '达成', amount: '金额',
  count: '数量', new: '新客户', customers: '客户', accounts: '客户',
  overdue: '逾期', pending: '待收', due: '应收', name: '名称', owner: '负责人',
  stage: '阶段', rank: '排名', change: '变化', score: '业绩', tier: '分级',
  contract: '合同', expire: '到期', time: '时间', date: '日期', days: '天数',
  period: '期间', total: '合计', account: '客户', user: '用户', won: '赢单', lost: '输单', value: '价值',
};
const PHRASES = {
  days_overdue: '逾期天数', overdue_days: '逾期天数', account_name: '客户名称',
  contract_name: '合同名称', owner_name: '负责人', stage_name: '阶段',
  display_name: '姓名', due_time: '应收日期', due_date: '应收日期',
  contract_end_time: '合同到期', end_time: '到期日期', conversion_rate: '转化率',
};
function label(key) {
  if (PHRASES[snake(key)]) return PHRASES[snake(key)];
  const words = snake(key).split('_').filter(Boolean);
  const zh = words.map(w => LABELS[w] || '').join('');
  return zh && words.every(w => LABELS[w] || w === 'id') ? zh : snake(key).replace(/_/g, ' ');
}

// The first array of objects in a reply (the list of a List*/Get* reply).
function firstArray(obj) {
  if (Array.isArray(obj)) return obj;
  if (!obj || typeof obj !== 'object') return [];
  for (const v of Object.values(obj)) if (Array.isArray(v)) return v;
  for (const v of Object.values(obj)) {
    if (v && typeof v === 'object' && !isMoney(v)) {
      const a = firstArray(v);
      if (a.length) return a;
    }
  }
  return [];
}

// Every scalar or Money leaf of `obj` as [path, value] (nested objects
// flattened with '.'; arrays skipped).
function leaves(obj, prefix = '') {
  const out = [];
  for (const [k, v] of Object.entries(obj || {})) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isMoney(v) || v === null || typeof v !== 'object') out.push([key, v]);
    else if (!Array.isArray(v)) out.push(...leaves(v, key));
  }
  return out;
}
function findLeaf(obj, re) {
  return leaves(obj).find(([k]) => re.test(k.split('.').pop()) || re.test(k));
}

// ---------------------------------------------------- request building --

// A request for `service/method` with the dashboard's filters, using only
// the fields the method has (by name), so a field the service does not
// have never makes the call fail.
async function buildRequest(service, method, filters, extra) {
  let fields = [];
  try { fields = await describe(service, method); } catch (e) { throw e; }
  const req = {};
  fillFields(req, fields, filters);
  for (const [k, v] of Object.entries(extra || {})) {
    if (fields.some(f => f.name === k || f.jsonName === k)) req[camel(k)] = v;
  }
  return req;
}

function fillFields(req, fields, f) {
  for (const fd of fields) {
    const n = fd.name;
    const key = fd.jsonName || camel(n);
    if (fd.repeated) continue;
    if (/^(org_unit_id|unit_id|org_unit|team_id|org_id|root_unit_id)$/.test(n) &&
        /int/.test(fd.type)) {
      if (f.unitId) req[key] = String(f.unitId);
    } else if (fd.type === 'message' && fd.messageType === 'google.protobuf.Timestamp') {
      // Only period bounds: other timestamps (last_follow_up_before...)
      // are filters the dashboard does not mean to set.
      if (/^(period_)?(start|from|begin|since)(_time|_date|_at)?$/.test(n)) {
        req[key] = f.start.toISOString();
      } else if (/^(period_)?(end|to|until)(_time|_date|_at)?$/.test(n)) {
        req[key] = f.end.toISOString();
      } else if (/^as_of(_time)?$/.test(n)) {
        req[key] = new Date().toISOString();
      }
    } else if (fd.type === 'message' && fd.fields && /period|range|window/.test(n)) {
      const sub = {};
      fillFields(sub, fd.fields, f);
      req[key] = sub;
    } else if (fd.type === 'enum' && /period|granularity|range/.test(n)) {
      const want = { month: 'MONTH', quarter: 'QUARTER', year: 'YEAR' }[f.kind];
      const v = (fd.enumValues || []).find(e => e.endsWith(want));
      if (v) req[key] = v;
    } else if (fd.type === 'string' && /^(period|month|period_label)$/.test(n)) {
      req[key] = f.periodLabel;
    } else if (/int/.test(fd.type) && n === 'year') {
      req[key] = f.start.getFullYear();
    } else if (/int/.test(fd.type) && n === 'month' && f.kind === 'month') {
      req[key] = f.start.getMonth() + 1;
    } else if (/int/.test(fd.type) && n === 'quarter') {
      req[key] = Math.floor(f.start.getMonth() / 3) + 1;
    } else if (/int/.test(fd.type) && n === 'page_size') {
      req[key] = 100;
    } else if (fd.type === 'string' && n === 'currency_code') {
      req[key] = 'CNY';
    }
  }
}

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

function table(rows, preferred) {
  if (!rows.length) return el('p', { class: 'muted', text: '暂无数据' });
  const keys = new Set();
  for (const r of rows.slice(0, 20)) {
    for (const [k, v] of Object.entries(r)) {
      if (isMoney(v) || v === null || typeof v !== 'object') keys.add(k);
    }
  }
  let cols = [...keys].filter(k => !/^(id|.*_id|.*Id|createTime|updateTime)$/.test(k));
  if (preferred) {
    const pref = preferred.map(p => cols.find(c => c === p || c === camel(p))).filter(Boolean);
    cols = [...pref, ...cols.filter(c => !pref.includes(c))];
  }
  cols = cols.slice(0, 6);
  const t = el('table', {},
    el('thead', {}, el('tr', {}, ...cols.map(c => el('th', { text: label(c) })))),
    el('tbody', {}, ...rows.map(r => el('tr', {},
      ...cols.map(c => el('td', { text: fmtValue(c, r[c]) }))))));
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

async function call(service, method, filters, extra) {
  const req = await buildRequest(service, method, filters, extra);
  return rpc(service, method, req);
}

// --------------------------------------------------------------- panels --

async function summaryPanel(f) {
  await panel('p-summary', '目标 · 签约 · 回款', async body => {
    const s = await call(ORDERS, 'GetBusinessSummary', f);
    const get = re => { const l = findLeaf(s, re); return l ? l[1] : undefined; };
    const target = get(/^target(_amount|Amount)?$/i);
    const signed = get(/^signed(_amount|Amount)?$|^signed/i);
    const received = get(/^(received|collected)(_amount|Amount)?$|^received|^collected/i);
    const renewal = get(/^renewal(_amount|Amount)?$/i);
    const renewalRate = get(/renewal.?rate/i);
    const signedRate = get(/sign\w*.?(achievement|rate)/i);
    const receivedRate = get(/(receiv|collect)\w*.?(achievement|rate)/i);
    const rate = (a, b) => (num(b) ? num(a) / num(b) : undefined);
    const grid = el('div', { class: 'kpis' },
      kpi('目标', target !== undefined ? fmtMoney(target) : '—'),
      kpi('签约', signed !== undefined ? fmtMoney(signed) : '—',
        '达成率 ' + fmtRate(signedRate !== undefined ? signedRate : rate(signed, target))),
      kpi('回款', received !== undefined ? fmtMoney(received) : '—',
        '达成率 ' + fmtRate(receivedRate !== undefined ? receivedRate : rate(received, target))),
      kpi('续费金额', renewal !== undefined ? fmtMoney(renewal) : '—',
        '续费率 ' + (renewalRate !== undefined ? fmtRate(renewalRate) : '—')));
    body.append(grid);
    if (target !== undefined || signed !== undefined) {
      const canvas = el('canvas', { height: '180' });
      body.append(el('div', { class: 'chart' }, canvas));
      chart(canvas, 'summary', {
        type: 'bar',
        data: {
          labels: ['目标', '签约', '回款'],
          datasets: [{ data: [num(target), num(signed), num(received)], backgroundColor: COLORS }],
        },
        options: { plugins: { legend: { display: false } }, maintainAspectRatio: false },
      });
    }
    const newCustomers = get(/^new.?(customers?|accounts?)(.?count)?$/i);
    const renewCustomers = get(/^renew(al|ed)?.?(customers?|accounts?)(.?count)?$/i);
    if (newCustomers !== undefined || renewCustomers !== undefined) {
      const canvas = el('canvas', { height: '160' });
      body.append(el('h3', { text: '新客户 vs 续费客户' }), el('div', { class: 'chart small' }, canvas));
      chart(canvas, 'newrenew', {
        type: 'doughnut',
        data: { labels: ['新客户', '续费客户'],
          datasets: [{ data: [num(newCustomers), num(renewCustomers)], backgroundColor: COLORS.slice(0, 2) }] },
        options: { maintainAspectRatio: false },
      });
    }
    // Every other figure the summary has, as a list.
    const shown = new Set([target, signed, received, renewal, renewalRate, newCustomers, renewCustomers]);
    const rest = leaves(s).filter(([, v]) => !shown.has(v));
    if (rest.length) {
      body.append(el('dl', { class: 'facts' }, ...rest.flatMap(([k, v]) =>
        [el('dt', { text: label(k.split('.').pop()) }), el('dd', { text: fmtValue(k, v) })])));
    }
  });
}

async function leaderboardPanel(f) {
  await panel('p-leaderboard', '团队排行榜', async body => {
    const r = await call(ORDERS, 'GetLeaderboard', f);
    const rows = firstArray(r);
    if (!rows.length) { body.append(el('p', { class: 'muted', text: '暂无数据' })); return; }
    const list = el('ol', { class: 'leaderboard' });
    rows.forEach((row, i) => {
      const rank = Number(pick(row, 'rank') || i + 1);
      const prev = pick(row, 'previous_rank', 'prev_rank', 'last_rank');
      let change = pick(row, 'rank_change', 'change');
      if (change === undefined && prev !== undefined && Number(prev) > 0) change = Number(prev) - rank;
      change = Number(change || 0);
      const name = pick(row, 'display_name', 'user_name', 'name', 'username', 'owner_name') ||
        `#${pick(row, 'user_id', 'owner_id', 'id') || rank}`;
      const score = pick(row, 'amount', 'signed_amount', 'score', 'value', 'received_amount');
      list.append(el('li', {},
        el('span', { class: 'rank', text: String(rank) }),
        el('span', { class: 'name', text: name }),
        el('span', { class: 'score', text: score !== undefined ? fmtValue('amount', score) : '' }),
        el('span', { class: 'change ' + (change > 0 ? 'up' : change < 0 ? 'down' : 'same'),
          text: change > 0 ? `▲${change}` : change < 0 ? `▼${-change}` : '—' })));
    });
    body.append(list);
  });
}

function stageChart(body, id, rows, valueNames) {
  const labels = rows.map(r => fmtValue('stage', pick(r, 'stage_name', 'name', 'stage', 'label') || ''));
  const values = rows.map(r => num(pick(r, ...valueNames)));
  const canvas = el('canvas', { height: String(60 + rows.length * 28) });
  body.append(el('div', { class: 'chart' }, canvas));
  chart(canvas, id, {
    type: 'bar',
    data: { labels, datasets: [{ data: values, backgroundColor: COLORS[0] }] },
    options: { indexAxis: 'y', plugins: { legend: { display: false } }, maintainAspectRatio: false },
  });
}

async function funnelPanel(f) {
  await panel('p-funnel', '销售漏斗', async body => {
    const rows = firstArray(await call(OPPS, 'GetFunnel', f));
    if (rows.length) stageChart(body, 'funnel', rows, ['count', 'opportunity_count', 'amount']);
    body.append(table(rows, ['stage_name', 'name', 'stage', 'count', 'amount', 'conversion_rate']));
  });
}

async function accountsByStagePanel(f) {
  await panel('p-stages', '客户阶段分布', async body => {
    const rows = firstArray(await call(OPPS, 'GetAccountsByStage', f));
    if (rows.length) stageChart(body, 'stages', rows, ['count', 'account_count', 'accounts']);
    body.append(table(rows, ['stage_name', 'name', 'stage', 'count']));
  });
}

function isOverdue(row) {
  if (pick(row, 'overdue') === true) return true;
  if (Number(pick(row, 'days_overdue', 'overdue_days') || 0) > 0) return true;
  const status = String(pick(row, 'status') || '');
  if (/OVERDUE/.test(status)) return true;
  const due = pick(row, 'due_time', 'due_date', 'due_at', 'planned_time');
  return typeof due === 'string' && new Date(due) < new Date();
}

async function collectionsPanel(f) {
  await panel('p-collections', '待回款与逾期', async body => {
    const rows = firstArray(await call(ORDERS, 'ListPendingCollections', f, { page_size: 100 }));
    const overdue = rows.filter(isOverdue);
    const total = rows.reduce((a, r) => a + num(pick(r, 'amount', 'due_amount', 'remaining_amount')), 0);
    body.append(el('div', { class: 'kpis' },
      kpi('待回款笔数', String(rows.length)),
      kpi('待回款金额', fmtMoney(total)),
      kpi('逾期笔数', String(overdue.length))));
    body.append(el('h3', { text: '逾期清单' }),
      table(overdue, ['account_name', 'contract_name', 'amount', 'due_time', 'days_overdue', 'owner_name']));
    body.append(el('h3', { text: '全部待回款' }),
      table(rows, ['account_name', 'contract_name', 'amount', 'due_time', 'owner_name']));
  });
}

async function renewalsPanel(f) {
  await panel('p-renewals', '重点客户续约', async body => {
    const rows = firstArray(await call(ORDERS, 'ListRenewalCandidates', f, { page_size: 100 }));
    body.append(table(rows, ['account_name', 'name', 'tier', 'contract_end_time', 'end_time', 'amount', 'owner_name']));
  });
}

async function tiersPanel(f) {
  await panel('p-tiers', '客户分级 A/B/C', async body => {
    const counts = { TIER_A: 0, TIER_B: 0, TIER_C: 0, TIER_UNSPECIFIED: 0 };
    let pageToken = '';
    let seen = 0;
    for (let page = 0; page < 5; page++) {
      const req = await buildRequest(ACCOUNTS, 'ListAccounts', f, { page_size: 200 });
      if (pageToken) req.pageToken = pageToken;
      const r = await rpc(ACCOUNTS, 'ListAccounts', req);
      for (const a of (r.accounts || [])) {
        const t = pick(a, 'tier') || 'TIER_UNSPECIFIED';
        counts[t] = (counts[t] || 0) + 1;
        seen++;
      }
      pageToken = pick(r, 'next_page_token') || '';
      if (!pageToken) break;
    }
    body.append(el('div', { class: 'kpis' },
      kpi('A 类', String(counts.TIER_A)), kpi('B 类', String(counts.TIER_B)),
      kpi('C 类', String(counts.TIER_C)), kpi('未分级', String(counts.TIER_UNSPECIFIED))));
    if (pageToken) body.append(el('p', { class: 'muted', text: `仅统计前 ${seen} 个客户` }));
    const canvas = el('canvas', { height: '160' });
    body.append(el('div', { class: 'chart small' }, canvas));
    chart(canvas, 'tiers', {
      type: 'doughnut',
      data: { labels: ['A', 'B', 'C', '未分级'],
        datasets: [{ data: [counts.TIER_A, counts.TIER_B, counts.TIER_C, counts.TIER_UNSPECIFIED],
          backgroundColor: COLORS.slice(0, 4) }] },
      options: { maintainAspectRatio: false },
    });
  });
}

// ----------------------------------------------------------- dashboard --

function filters() {
  return { ...periodOf($('#period').value), unitId: $('#unit').value };
}

function refresh() {
  const f = filters();
  return Promise.all([summaryPanel(f), leaderboardPanel(f), funnelPanel(f),
    accountsByStagePanel(f), collectionsPanel(f), renewalsPanel(f), tiersPanel(f)]);
}

async function loadUnits() {
  const select = $('#unit');
  select.replaceChildren();
  try {
    const r = await rpc(IDENTITY, 'GetOrgSubtree', {});
    const units = r.orgUnits || r.org_units || [];
    for (const u of units) {
      const depth = Number(u.depth || 0);
      select.append(el('option', { value: u.id, text: '　'.repeat(depth) + u.name }));
    }
  } catch (e) {
    select.append(el('option', { value: '', text: '我的范围' }));
  }
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
