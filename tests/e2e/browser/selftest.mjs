#!/usr/bin/env node
// selftest.mjs: proves the operator's browser (system-browser.sh -> operator.mjs -> headless Chromium) against a
// tiny local Entra-like sign-in page, without the simulator. Each case runs `xdg-open <authorize URL>` exactly as
// the app's QDesktopServices::openUrl does, with BROWSER pointing at system-browser.sh and no display, then checks
// what a loopback "callback" listener (standing in for the app) received and what the driver reported.
//
//   node selftest.mjs            all cases; exit 0 when all pass
//   SR_SELFTEST_KEEP=1 node ...  keep the work folder (reports, logs, screenshots) and print its path

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const systemBrowser = path.join(here, 'system-browser.sh');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-browser-selftest-'));
const USER = 'helpdesk@contoso.test';
const PASSWORD = 'Passw0rd!';

// ---------------------------------------------------------------------------------------------------------------
// The fake identity provider: /authorize shows an account picker (prompt=select_account and a session cookie) or
// the sign-in form with Entra's element ids; one-page form by default, Entra's two-step form with twostep=1.
const codes = new Map(); // code -> {state, redirectUri}
function page(title, body) {
    return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>`
        + `<body><h1>${title}</h1>${body}</body></html>`;
}
function esc(s) {
    return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
function hidden(params) {
    return Object.entries(params).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
}
function signInForm(params, { step = 'both', error = null, login = '' } = {}) {
    const showUser = step === 'both' || step === 'user';
    const showPass = step === 'both' || step === 'pass';
    return page('Sign in to your account', `<form method="post" action="/login">${hidden(params)}
        <input type="hidden" name="step" value="${step}">
        ${showUser ? `<input id="i0116" name="loginfmt" type="email" value="${esc(login)}">`
        : `<input type="hidden" name="loginfmt" value="${esc(login)}"><div>${esc(login)}</div>`}
        <div id="usernameError" ${error?.field === 'user' ? '' : 'style="display:none"'}>${
    error?.field === 'user' ? esc(error.text) : ''}</div>
        ${showPass ? '<input id="i0118" name="passwd" type="password">' : ''}
        <div id="passwordError" ${error?.field === 'pass' ? '' : 'hidden'}>${
    error?.field === 'pass' ? esc(error.text) : ''}</div>
        <input type="submit" id="idBtn_Back" name="cancel" value="Back">
        <input type="submit" id="idSIButton9" name="next" value="${showPass ? 'Sign in' : 'Next'}">
        </form>`);
}
function pickerPage(params, accounts) {
    const tiles = accounts.map((a) => `<div class="table" role="button" tabindex="0" data-test-id="${esc(a)}"
        onclick="pick('${esc(a)}')"><small>Signed in</small> ${esc(a)}</div>`).join('');
    return page('Pick an account', `<form id="f" method="post" action="/pick">${hidden(params)}
        <input type="hidden" id="account" name="account" value=""></form>
        <div id="tilesHolder">${tiles}<div id="otherTile" role="button" tabindex="0" onclick="pick('')">
        Use another account</div></div>
        <script>function pick(a){document.getElementById('account').value=a;document.getElementById('f').submit();}
        </script>`);
}
function redirectTo(res, redirectUri, params, cookie) {
    const target = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    const headers = { Location: target.toString(), 'Content-Length': '0' };
    if (cookie) headers['Set-Cookie'] = cookie;
    res.writeHead(302, headers);
    res.end();
}
function issueCode(res, p, login) {
    const code = `0.AX${crypto.randomBytes(48).toString('base64url')}`;
    codes.set(code, { state: p.state, redirectUri: p.redirect_uri, login });
    redirectTo(res, p.redirect_uri, { code, state: p.state, session_state: crypto.randomUUID() },
        `sso=${encodeURIComponent(login)}; Path=/; HttpOnly`);
}
function readForm(req) {
    return new Promise((resolve) => {
        let body = '';
        req.on('data', (d) => { body += d; });
        req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(body))));
    });
}
const FLOW_KEYS = ['client_id', 'redirect_uri', 'state', 'nonce', 'twostep'];
const idp = http.createServer(async (req, res) => {
    const u = new URL(req.url, 'http://x');
    const html = (status, text) => {
        res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
    };
    if (req.method === 'GET' && u.pathname === '/authorize') {
        const p = Object.fromEntries(u.searchParams);
        const flow = Object.fromEntries(FLOW_KEYS.filter((k) => k in p).map((k) => [k, p[k]]));
        const cookie = /(?:^|;\s*)sso=([^;]+)/.exec(req.headers.cookie || '');
        if (p.prompt === 'select_account') {
            return html(200, pickerPage(flow, cookie ? [decodeURIComponent(cookie[1])] : []));
        }
        return html(200, signInForm(flow, { step: p.twostep ? 'user' : 'both' }));
    }
    if (req.method === 'POST' && u.pathname === '/pick') {
        const f = await readForm(req);
        const flow = Object.fromEntries(FLOW_KEYS.filter((k) => k in f).map((k) => [k, f[k]]));
        const cookie = /(?:^|;\s*)sso=([^;]+)/.exec(req.headers.cookie || '');
        if (f.account && cookie && decodeURIComponent(cookie[1]) === f.account) return issueCode(res, f, f.account);
        return html(200, signInForm(flow, { step: f.twostep ? 'user' : 'both', login: f.account || '' }));
    }
    if (req.method === 'POST' && u.pathname === '/login') {
        const f = await readForm(req);
        const flow = Object.fromEntries(FLOW_KEYS.filter((k) => k in f).map((k) => [k, f[k]]));
        if ('cancel' in f) {
            return redirectTo(res, f.redirect_uri, { error: 'access_denied',
                error_description: 'AADSTS50058: the user canceled the sign-in.', state: f.state });
        }
        if (f.loginfmt.toLowerCase() !== USER) {
            return html(200, signInForm(flow, { step: f.step === 'pass' ? 'user' : f.step, login: f.loginfmt,
                error: { field: 'user', text: "This username may be incorrect. Make sure you typed it correctly." } }));
        }
        if (f.step === 'user') return html(200, signInForm(flow, { step: 'pass', login: f.loginfmt }));
        if (f.passwd !== PASSWORD) {
            return html(200, signInForm(flow, { step: f.step, login: f.loginfmt,
                error: { field: 'pass', text: 'Your account or password is incorrect.' } }));
        }
        return issueCode(res, f, f.loginfmt);
    }
    html(404, page('Not found', ''));
});

// ---------------------------------------------------------------------------------------------------------------
// The callback listener: what the app's loopback server would see.
let callbackHits = [];
let connections = 0;
const callback = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    callbackHits.push({ path: u.pathname, query: Object.fromEntries(u.searchParams) });
    if (u.pathname === '/favicon.ico') {
        res.writeHead(404, { 'Content-Length': '0' });
        return res.end();
    }
    // /leaky/ plays a careless app that echoes the code into its page: the driver must still not write it out.
    const leak = u.pathname === '/leaky/' ? ` (code ${esc(u.searchParams.get('code') || '')})` : '';
    const body = page('Session Revoker', u.searchParams.has('code')
        ? `<p>Signed in${leak}. You can close this window and return to Session Revoker.</p>`
        : '<p>Sign-in was canceled. Return to Session Revoker.</p>');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
});
callback.on('connection', () => { connections += 1; });

function listen(server) {
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

// ---------------------------------------------------------------------------------------------------------------
function xdgOpen(url, env) {
    return new Promise((resolve) => {
        const t0 = Date.now();
        const child = spawn('xdg-open', [url], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d) => { out += d; });
        child.stderr.on('data', (d) => { out += d; });
        child.on('error', (e) => resolve({ code: -1, ms: Date.now() - t0, out: String(e) }));
        child.on('close', (code) => resolve({ code, ms: Date.now() - t0, out }));
    });
}
async function waitForReport(file, timeoutMs) {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
        if (fs.existsSync(file)) {
            const text = fs.readFileSync(file, 'utf8');
            if (text.endsWith('\n')) return text;
        }
        await new Promise((r) => setTimeout(r, 50));
    }
    return null;
}
function browserEnv(extra) {
    const env = { ...process.env };
    for (const k of ['DISPLAY', 'WAYLAND_DISPLAY', 'XDG_CURRENT_DESKTOP', 'DESKTOP_SESSION', 'KDE_FULL_SESSION',
        'GNOME_DESKTOP_SESSION_ID', 'MATE_DESKTOP_SESSION_ID']) delete env[k];
    for (const k of Object.keys(env)) if (k.startsWith('SR_BROWSER_')) delete env[k];
    return { ...env, BROWSER: systemBrowser, SR_NODE: process.execPath, ...extra };
}

let passed = 0;
let failed = 0;
async function runCase(name, { action, query = {}, callbackPath = '/', port = null, env = {}, check }) {
    const state = crypto.randomBytes(16).toString('base64url');
    const redirectUri = `http://127.0.0.1:${port || callbackPort}${callbackPath}`;
    const auth = new URL(`http://127.0.0.1:${idpPort}/authorize`);
    auth.search = new URLSearchParams({ client_id: 'selftest', response_type: 'code', redirect_uri: redirectUri,
        state, nonce: crypto.randomUUID(), code_challenge: 'x'.repeat(43), code_challenge_method: 'S256',
        ...query }).toString();
    const slug = name.replace(/[^a-z0-9]+/gi, '-');
    const report = path.join(work, `${slug}.report.jsonl`);
    const log = path.join(work, `${slug}.log`);
    callbackHits = [];
    connections = 0;
    const t0 = Date.now();
    const opened = await xdgOpen(auth.toString(), browserEnv({ SR_BROWSER_ACTION: action, SR_BROWSER_REPORT: report,
        SR_BROWSER_LOG: log, SR_BROWSER_SCREENSHOT: path.join(work, `${slug}.png`), ...env }));
    const returnedFirst = !fs.existsSync(report);
    const text = await waitForReport(report, 45000);
    const totalMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 300)); // a late /favicon.ico
    const problems = [];
    const expect = (ok, what) => { if (!ok) problems.push(what); };
    expect(opened.code === 0, `xdg-open exited ${opened.code}: ${opened.out.trim()}`);
    expect(returnedFirst, `xdg-open returned after the driver finished (${opened.ms} ms): it must not wait`);
    let r = null;
    if (text === null) {
        problems.push('no report line within 45 s');
    } else {
        const lines = text.trim().split('\n');
        expect(lines.length === 1, `expected one report line, got ${lines.length}`);
        r = JSON.parse(lines[lines.length - 1]);
        // Nothing secret may leave the driver: no code, no full redirect URL, in the report or in its log.
        const logText = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
        for (const code of codes.keys()) {
            expect(!text.includes(code), 'the report contains an authorization code');
            expect(!logText.includes(code), 'the log contains an authorization code');
        }
        expect(!/[?&]code=/.test(text + logText), 'the report or log contains a code= parameter');
        check(r, callbackHits.filter((h) => h.path !== '/favicon.ico'), expect, state);
    }
    const tag = problems.length ? 'FAIL' : 'PASS';
    const hits = callbackHits.map((h) => h.path).join(',') || 'none';
    console.log(`${tag} ${name}: xdg-open ${opened.ms} ms, round trip ${totalMs} ms`
        + (r ? ` (driver ${r.elapsed_ms} ms of which browser start ${r.browser_start_ms} ms, outcome ${r.outcome})` : '')
        + `, callback requests [${hits}], connections ${connections}`);
    for (const p of problems) console.log(`     ${p}`);
    if (problems.length) {
        failed += 1;
        if (fs.existsSync(log)) console.log(`     log: ${fs.readFileSync(log, 'utf8').trim()}`);
    } else {
        passed += 1;
    }
    return r;
}

const signedIn = (r, hits, expect, state) => {
    expect(r.outcome === 'redirected', `outcome ${r.outcome} ${r.reason || r.error_text || ''}`);
    expect(r.redirect_has_code === true && r.redirect_has_error === false, 'report: has_code true, has_error false');
    expect(r.redirect_host === '127.0.0.1', `report: redirect_host ${r.redirect_host}`);
    expect(hits.length === 1, `callback got ${hits.length} requests (want exactly 1)`);
    const q = hits[0]?.query || {};
    expect(codes.has(q.code), 'callback: code is one the IdP issued');
    expect(q.state === state, 'callback: state matches');
    expect(r.page_title === 'Session Revoker' && /Signed in/.test(r.page_text), 'report: the loopback page text');
};

// Xvfb on a free display number, for the case with DISPLAY set; null when Xvfb is not installed.
function startXvfb() {
    return new Promise((resolve) => {
        const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1024x768x24', '-nolisten', 'tcp'],
            { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
        let buf = '';
        const timer = setTimeout(() => { child.kill(); resolve(null); }, 10000);
        child.on('error', () => { clearTimeout(timer); resolve(null); });
        child.stdio[3].on('data', (d) => {
            buf += d;
            if (buf.includes('\n')) {
                clearTimeout(timer);
                resolve({ child, display: `:${buf.trim()}` });
            }
        });
    });
}

const chromiumPath = process.env.SR_CHROMIUM || '/usr/bin/chromium';
const missing = [];
if (!fs.existsSync(path.join(here, 'node_modules', 'playwright-core', 'package.json'))) {
    missing.push('tests/e2e/browser/node_modules (npm ci there)');
}
if (!fs.existsSync(chromiumPath)) missing.push(`${chromiumPath} (apt-get install chromium)`);
if (/[\s:%]/.test(systemBrowser)) {
    // xdg-open splits $BROWSER on ':' and on blanks, and treats %s as the URL's place.
    console.log(`selftest: ${systemBrowser} cannot be a $BROWSER: its path has a blank, ':' or '%'`);
    console.log('0 passed, 1 failed');
    process.exit(1);
}
if (missing.length) {
    console.log(`selftest: missing ${missing.join(' and ')}: run scripts/setup.sh`);
    console.log('0 passed, 1 failed');
    process.exit(1);
}

let idpPort;
let callbackPort;
let xvfb = null;
try {
    idpPort = await listen(idp);
    callbackPort = await listen(callback);

    await runCase('sign-in (one-page form)', { action: 'sign-in', check: signedIn });
    await runCase('sign-in (two-step form)', { action: 'sign-in', query: { twostep: '1' }, check: signedIn });
    await runCase('sign-in via the account picker ("Use another account")', {
        action: 'sign-in', query: { prompt: 'select_account' },
        check: (r, hits, expect, state) => {
            signedIn(r, hits, expect, state);
            expect(r.picker_shown === true, 'report: picker_shown');
        },
    });
    // A kept profile: sign in once, then the picker lists the account and its tile signs in without a password
    // (the IdP's cookie is a session cookie: the driver carries it over like a browser that stayed open).
    const profile = path.join(work, 'profile');
    await runCase('sign-in with a kept profile', { action: 'sign-in', env: { SR_BROWSER_PROFILE: profile },
        check: signedIn });
    await runCase('account picker: pick the signed-in tile', {
        action: 'sign-in', query: { prompt: 'select_account' },
        env: { SR_BROWSER_PROFILE: profile, SR_BROWSER_ACCOUNT: USER },
        check: (r, hits, expect, state) => {
            signedIn(r, hits, expect, state);
            expect(r.picker_shown === true && r.account_picked === true, 'report: picker shown, account picked');
        },
    });
    await runCase('cancel', {
        action: 'cancel',
        check: (r, hits, expect, state) => {
            expect(r.outcome === 'redirected' && r.redirect_has_error && !r.redirect_has_code,
                `report: redirected with an error (${r.outcome})`);
            expect(r.redirect_error === 'access_denied', `report: redirect_error ${r.redirect_error}`);
            expect(hits.length === 1 && hits[0].query.error === 'access_denied' && hits[0].query.state === state,
                'callback: error=access_denied with the state');
        },
    });
    await runCase('wrong password', {
        action: 'wrong-password',
        check: (r, hits, expect) => {
            expect(r.outcome === 'sign-in-error' && /password is incorrect/.test(r.error_text || ''),
                `report: sign-in-error (${r.outcome} ${r.error_text || r.reason || ''})`);
            expect(hits.length === 0, 'callback got no request');
        },
    });
    await runCase('unknown user is a sign-in error', {
        action: 'sign-in', env: { SR_BROWSER_USER: 'nobody@contoso.test' },
        check: (r, hits, expect) => {
            expect(r.outcome === 'sign-in-error' && r.error_field === 'username', `report: ${r.outcome}`);
            expect(hits.length === 0, 'callback got no request');
        },
    });
    await runCase('a page that echoes the code is redacted', {
        action: 'sign-in', callbackPath: '/leaky/',
        check: (r, hits, expect) => {
            expect(r.outcome === 'redirected' && r.redirect_has_code, `report: ${r.outcome}`);
            expect(/\[redacted\]/.test(r.page_text), 'report: page_text has [redacted] in place of the code');
            expect(hits.length === 1, `callback got ${hits.length} requests`);
        },
    });
    await runCase('open-only', {
        action: 'open-only',
        check: (r, hits, expect) => {
            expect(r.outcome === 'opened' && r.page_title === 'Sign in to your account', `report: ${r.outcome}`);
            expect(hits.length === 0, 'callback got no request');
        },
    });
    // The app gave up and closed its listener: the driver still reports the redirect it sent.
    const spare = http.createServer();
    const closedPort = await listen(spare);
    await new Promise((r) => spare.close(r));
    await runCase('a closed listener still reports the redirect', {
        action: 'sign-in', port: closedPort,
        check: (r, hits, expect) => {
            expect(r.outcome === 'redirected' && r.redirect_has_code && r.page_loaded === false,
                `report: redirected, page not loaded (${r.outcome} ${r.page_load_error || ''})`);
        },
    });
    // Under Xvfb (DISPLAY set, as for the app on the xcb platform) xdg-open first asks the desktop associations,
    // which name chromium.desktop; empty XDG data and config folders hide them and $BROWSER is used again.
    xvfb = await startXvfb();
    if (xvfb) {
        const empty = fs.mkdtempSync(path.join(work, 'xdg-empty-'));
        await runCase('sign-in with DISPLAY set (Xvfb) and empty XDG folders', {
            action: 'sign-in',
            env: { DISPLAY: xvfb.display, XDG_DATA_HOME: empty, XDG_DATA_DIRS: empty, XDG_CONFIG_HOME: empty,
                XDG_CONFIG_DIRS: empty },
            check: signedIn,
        });
        // Or keep the system folders and register the driver as the desktop's http(s) handler, in throwaway
        // XDG_DATA_HOME/applications and XDG_CONFIG_HOME/mimeapps.list: xdg-open then runs it as a desktop would.
        const home = fs.mkdtempSync(path.join(work, 'xdg-handler-'));
        fs.mkdirSync(path.join(home, 'data', 'applications'), { recursive: true });
        fs.mkdirSync(path.join(home, 'config'));
        fs.writeFileSync(path.join(home, 'data', 'applications', 'sr-test-browser.desktop'), [
            '[Desktop Entry]', 'Type=Application', 'Name=Session Revoker test browser', `Exec=${systemBrowser} %u`,
            'MimeType=x-scheme-handler/http;x-scheme-handler/https;', 'NoDisplay=true', ''].join('\n'));
        fs.writeFileSync(path.join(home, 'config', 'mimeapps.list'), ['[Default Applications]',
            'x-scheme-handler/http=sr-test-browser.desktop', 'x-scheme-handler/https=sr-test-browser.desktop',
            ''].join('\n'));
        await runCase('sign-in with DISPLAY set (Xvfb) and the driver as the desktop http handler', {
            action: 'sign-in',
            env: { DISPLAY: xvfb.display, XDG_DATA_HOME: path.join(home, 'data'),
                XDG_CONFIG_HOME: path.join(home, 'config'), BROWSER: '' },
            check: signedIn,
        });
    } else {
        console.log('SKIP sign-in with DISPLAY set: Xvfb could not be started');
    }
} finally {
    if (xvfb) xvfb.child.kill();
    idp.close();
    callback.close();
    idp.closeAllConnections?.();
    callback.closeAllConnections?.();
    if (process.env.SR_SELFTEST_KEEP) console.log(`work folder: ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
