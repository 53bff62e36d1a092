#!/usr/bin/env node
// operator.mjs <url>
//
// Plays the helpdesk operator at the "system browser" in end-to-end tests: a real headless Chromium (Debian's
// /usr/bin/chromium, driven through playwright-core, which never downloads a browser) opens <url> (the authorize
// URL the app handed to QDesktopServices::openUrl / xdg-open), signs in on the Entra-like page and follows the
// redirect to the app's loopback listener. Normally started by system-browser.sh, which xdg-open runs as $BROWSER.
//
// Environment (all optional):
//   SR_BROWSER_ACTION    sign-in (default) | cancel | wrong-password | open-only
//   SR_BROWSER_USER      user name to type (default helpdesk@contoso.test, a tenant-sim fixed account)
//   SR_BROWSER_PASSWORD  password to type (default Passw0rd!, tenant-sim's password for every account)
//   SR_BROWSER_WRONG_PASSWORD  password typed by wrong-password (default "not-the-password")
//   SR_BROWSER_ACCOUNT   on the account picker, pick the tile of this account (else "Use another account")
//   SR_BROWSER_REPORT    file to which ONE JSON line is appended per run (read the last line)
//   SR_BROWSER_TIMEOUT_MS  overall time limit (default 30000); past it the outcome is "failed"
//   SR_BROWSER_PROFILE   a Chromium profile folder to reuse and keep; default: a fresh temporary folder, removed
//                        at exit. With it, cookies survive from one run to the next, session cookies included (as in
//                        an operator's browser that stays open), so the account picker lists earlier sign-ins.
//   SR_BROWSER_SCREENSHOT  PNG file: a screenshot of the last page (for people checking what happened)
//   SR_BROWSER_CA_FILE   PEM CA file whose certificates the browser trusts (tenant-sim --tls)
//   SR_CHROMIUM          browser executable (default /usr/bin/chromium)
//
// Report lines (one JSON object per run):
//   {"outcome":"redirected","page_title":..,"page_text":..(first 500 chars),"redirect_host":"127.0.0.1",
//    "redirect_has_code":true,"redirect_has_state":true,"redirect_has_error":false,"redirect_error":null,...}
//   {"outcome":"sign-in-error","error_text":"..."}
//   {"outcome":"opened","page_title":..,"page_text":..}          (open-only, when no redirect happened)
//   {"outcome":"failed","reason":"..."}
// Every line also has "action", "elapsed_ms" (since node started), "browser_start_ms" (node start to a ready
// Chromium) and "picker_shown" (plus "account_picked" when SR_BROWSER_ACCOUNT is set).
//
// Secrets: the authorization code, the full redirect URL and tokens are never printed or written, only booleans
// about them; every text that leaves this process goes through redact().
//
// Exit status: 0 when the action completed as asked (sign-in: redirected with a code; cancel: redirected with an
// error; wrong-password: the sign-in page showed an error; open-only: the page opened), 1 otherwise.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

// Playwright's debug logging (DEBUG=pw:*) prints every navigation URL, the redirect with its code included.
// It reads DEBUG when its module loads, so scrub it before the dynamic import below.
delete process.env.DEBUG;
delete process.env.DEBUG_FILE;

const startedAt = Date.now();
const url = process.argv[2];
const env = process.env;
const action = (env.SR_BROWSER_ACTION || 'sign-in').trim();
const user = env.SR_BROWSER_USER || 'helpdesk@contoso.test';
const password = env.SR_BROWSER_PASSWORD || 'Passw0rd!';
const wrongPassword = env.SR_BROWSER_WRONG_PASSWORD || 'not-the-password';
const account = (env.SR_BROWSER_ACCOUNT || '').trim();
const reportPath = env.SR_BROWSER_REPORT || '';
const timeoutMs = Number.parseInt(env.SR_BROWSER_TIMEOUT_MS || '30000', 10) || 30000;
const keptProfile = env.SR_BROWSER_PROFILE || '';
const screenshotPath = env.SR_BROWSER_SCREENSHOT || '';
const executablePath = env.SR_CHROMIUM || '/usr/bin/chromium';
const deadline = startedAt + timeoutMs;

// SR_BROWSER_CA_FILE: a PEM CA the operator's browser trusts (tenant-sim --tls). Chromium takes trusted keys as
// SHA-256 SPKI fingerprints of certificates in the chain; certificate checking stays on for everything else.
function trustArgs() {
    const caFile = env.SR_BROWSER_CA_FILE || '';
    if (!caFile) return [];
    const certificate = new crypto.X509Certificate(fs.readFileSync(caFile));
    const spki = certificate.publicKey.export({ type: 'spki', format: 'der' });
    const fingerprint = crypto.createHash('sha256').update(spki).digest('base64');
    return [`--ignore-certificate-errors-spki-list=${fingerprint}`];
}

const CHROMIUM_ARGS = [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];
const ACTIONS = new Set(['sign-in', 'cancel', 'wrong-password', 'open-only']);

// ---------------------------------------------------------------------------------------------------------------
// Redaction: values seen in the redirect are remembered and blanked out of anything written.
const secrets = new Set();
function redact(text) {
    if (text === null || text === undefined) return text;
    let s = String(text);
    for (const secret of secrets) {
        if (secret && secret.length >= 4) s = s.split(secret).join('[redacted]');
    }
    // Any URL parameter that may carry a credential, whatever its origin.
    s = s.replace(/([?&#](?:code|id_token|access_token|refresh_token|session_state|client_info)=)[^&#\s"'<>]*/gi,
        '$1[redacted]');
    // A loopback URL with a query or fragment: keep origin and path only.
    s = s.replace(/(https?:\/\/(?:127\.0\.0\.1|localhost)(?::\d+)?[^\s"'<>?#]*)[?#][^\s"'<>]*/gi, '$1?[redacted]');
    return s;
}

let reported = false;
let browserStartMs = null;
let picker = { shown: false, picked: false };
function report(result) {
    if (reported) return;
    reported = true;
    const line = { ...result, action, elapsed_ms: Date.now() - startedAt, browser_start_ms: browserStartMs,
        picker_shown: picker.shown };
    if (account) line.account_picked = picker.picked;
    for (const key of Object.keys(line)) {
        if (typeof line[key] === 'string') line[key] = redact(line[key]);
    }
    const json = JSON.stringify(line);
    if (reportPath) {
        try {
            fs.appendFileSync(reportPath, json + '\n');
        } catch (e) {
            process.stderr.write(`operator: cannot write report ${reportPath}: ${e.message}\n`);
        }
    }
    const summary = [`outcome=${line.outcome}`, `action=${action}`, `elapsed_ms=${line.elapsed_ms}`];
    if ('redirect_has_code' in line) summary.push(`has_code=${line.redirect_has_code}`);
    if (line.redirect_error) summary.push(`error=${line.redirect_error}`);
    if (line.reason) summary.push(`reason=${JSON.stringify(line.reason)}`);
    if (line.error_text) summary.push(`error_text=${JSON.stringify(line.error_text)}`);
    process.stderr.write(`operator: ${summary.join(' ')}\n`);
}

function succeeded(result) {
    switch (action) {
    case 'sign-in': return result.outcome === 'redirected' && result.redirect_has_code && !result.redirect_has_error;
    case 'cancel': return result.outcome === 'redirected' && result.redirect_has_error && !result.redirect_has_code;
    case 'wrong-password': return result.outcome === 'sign-in-error';
    case 'open-only': return result.outcome === 'opened' || result.outcome === 'redirected';
    default: return false;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Cleanup and the hard watchdog (Playwright calls can hang; the overall limit is a promise to the tests).
let context = null;
let profileDir = '';
let cleaning = null;
// Session cookies die with the browser process; a kept profile stands for a browser that stays open, so they are
// saved at the end of a run and given back at the start of the next.
const COOKIE_FILE = 'sr-session-cookies.json';
async function saveCookies() {
    if (!keptProfile || !context) return;
    try {
        const cookies = await Promise.race([context.cookies(), sleep(2000).then(() => null)]);
        if (cookies) fs.writeFileSync(path.join(keptProfile, COOKIE_FILE), JSON.stringify(cookies), { mode: 0o600 });
    } catch { /* best effort */ }
}
async function restoreCookies() {
    const file = path.join(keptProfile, COOKIE_FILE);
    if (!keptProfile || !fs.existsSync(file)) return;
    try {
        await context.addCookies(JSON.parse(fs.readFileSync(file, 'utf8')));
    } catch { /* a stale or unreadable file: start without */ }
}

async function cleanup() {
    if (cleaning) return cleaning;
    cleaning = (async () => {
        await saveCookies();
        if (context) {
            await Promise.race([context.close().catch(() => {}), sleep(5000)]);
        }
        if (profileDir && !keptProfile) {
            try {
                fs.rmSync(profileDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
            } catch { /* best effort */ }
        }
    })();
    return cleaning;
}

async function finish(result) {
    report(result);
    clearTimeout(watchdog);
    await cleanup();
    process.exit(succeeded(result) ? 0 : 1);
}

const watchdog = setTimeout(() => {
    // The main flow normally reports a timeout itself; this is for a hung browser call.
    report({ outcome: 'failed', reason: `timed out after ${timeoutMs} ms (watchdog)` });
    cleanup().finally(() => process.exit(1));
    setTimeout(() => process.exit(1), 6000).unref();
}, timeoutMs + 3000);

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.on(signal, () => {
        report({ outcome: 'failed', reason: `stopped by ${signal}` });
        cleanup().finally(() => process.exit(1));
        setTimeout(() => process.exit(1), 6000).unref();
    });
}

function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
function remaining() {
    return deadline - Date.now();
}
function cap(ms) {
    return Math.max(1, Math.min(ms, remaining()));
}

// ---------------------------------------------------------------------------------------------------------------
// Which URL is the app's loopback redirect? The authorize URL names it (redirect_uri); without one, any http
// loopback URL on another origin than the page we opened that carries code, error or state.
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
let startUrl = null;
let redirectUri = null;
function parseStart() {
    try {
        startUrl = new URL(url);
    } catch {
        return false;
    }
    const ru = startUrl.searchParams.get('redirect_uri');
    if (ru) {
        try {
            redirectUri = new URL(ru);
        } catch { /* not a URL: fall back to the heuristic */ }
    }
    return true;
}
function isRedirect(candidate) {
    let u;
    try {
        u = new URL(candidate);
    } catch {
        return false;
    }
    if (u.protocol !== 'http:' || !LOOPBACK_HOSTS.has(u.hostname)) return false;
    if (redirectUri && redirectUri.protocol === 'http:' && LOOPBACK_HOSTS.has(redirectUri.hostname)) {
        // RFC 8252: the port is the app's; the authorize URL carries the one it listens on. Accept the
        // 127.0.0.1/localhost spellings for each other only when the redirect_uri had no explicit port.
        const samePath = (u.pathname || '/') === (redirectUri.pathname || '/');
        if (redirectUri.port) return u.host === redirectUri.host && samePath;
        return samePath;
    }
    if (startUrl && u.origin === startUrl.origin) return false;
    const p = u.searchParams;
    return p.has('code') || p.has('error') || p.has('state');
}

// The redirect as seen on the wire (a navigation request of the main frame), whether or not the app answers.
let redirect = null;
function noteRedirect(requestUrl, postData) {
    if (redirect) return;
    const u = new URL(requestUrl);
    // response_mode=form_post sends the answer in a POST body instead of the query.
    const p = new URLSearchParams(u.search);
    if (postData) {
        for (const [k, v] of new URLSearchParams(postData)) p.set(k, v);
        secrets.add(postData);
    }
    for (const key of ['code', 'id_token', 'access_token', 'refresh_token', 'session_state', 'client_info', 'state']) {
        const value = p.get(key);
        if (value) secrets.add(value);
    }
    secrets.add(requestUrl);
    secrets.add(u.search);
    redirect = {
        origin: u.origin,
        redirect_host: u.hostname,
        redirect_port: u.port ? Number(u.port) : 80,
        redirect_path: u.pathname,
        redirect_has_code: Boolean(p.get('code')),
        redirect_has_state: p.has('state'),
        redirect_has_error: p.has('error'),
        // An OAuth error code is a fixed word such as access_denied: safe to report, and tests need it.
        redirect_error: p.has('error') ? (p.get('error') || '').replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 64) : null,
        redirect_has_error_description: p.has('error_description'),
    };
}

// ---------------------------------------------------------------------------------------------------------------
// One look at the page: what is shown and what can be done. Runs in the page.
function snapshotInPage() {
    // A page still being parsed may show the fields before its buttons: look again once it is parsed.
    if (document.readyState === 'loading') return null;
    const visible = (el) => {
        if (!el) return false;
        const style = window.getComputedStyle(el);
        if (style.display === 'none' || style.visibility === 'hidden' || el.hidden) return false;
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.height > 0;
    };
    const text = (el) => (el ? (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim() : '');
    const byId = (id) => document.getElementById(id);
    const field = (el) => ({
        present: Boolean(el), visible: visible(el), value: el ? el.value || '' : '',
        editable: Boolean(el) && !el.readOnly && !el.disabled,
    });
    const errorOf = (id) => {
        const el = byId(id);
        return el && visible(el) ? text(el) : '';
    };
    const clickable = 'a, button, [role="button"], [role="link"], [role="option"], [data-test-id], li, '
        + 'input[type="submit"], input[type="button"], [tabindex]';
    // The account picker: Entra shows tiles (data-test-id = the UPN) and "Use another account" (#otherTile).
    const all = Array.from(document.querySelectorAll(clickable)).filter(visible);
    const other = byId('otherTile') && visible(byId('otherTile'))
        ? byId('otherTile')
        : all.find((el) => /use another account/i.test(text(el)) && text(el).length < 80);
    const tiles = all.filter((el) => el !== other && !other?.contains(el) && el.id !== 'idSIButton9'
        && el.id !== 'idBtn_Back'
        && (el.hasAttribute('data-test-id') || /[^\s@]+@[^\s@]+\.[^\s@]+/.test(text(el))));
    const isPicker = Boolean(other) && !visible(byId('i0116')) && !visible(byId('i0118'));
    return {
        title: document.title || '',
        bodyText: text(document.body).slice(0, 2000),
        user: field(byId('i0116')),
        pass: field(byId('i0118')),
        submit: visible(byId('idSIButton9')),
        back: visible(byId('idBtn_Back')),
        usernameError: errorOf('usernameError'),
        passwordError: errorOf('passwordError'),
        picker: isPicker,
        tiles: isPicker ? tiles.map((el) => (el.getAttribute('data-test-id') || text(el)).slice(0, 200)) : [],
    };
}

// Marks the element to click on the picker and returns whether one was found. Runs in the page.
function markPickerTargetInPage(wanted) {
    const visible = (el) => {
        const style = window.getComputedStyle(el);
        if (style.display === 'none' || style.visibility === 'hidden' || el.hidden) return false;
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.height > 0;
    };
    const text = (el) => (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim();
    for (const el of document.querySelectorAll('[data-sr-target]')) el.removeAttribute('data-sr-target');
    const clickable = 'a, button, [role="button"], [role="link"], [role="option"], [data-test-id], li, '
        + 'input[type="submit"], input[type="button"], [tabindex]';
    const all = Array.from(document.querySelectorAll(clickable)).filter(visible);
    let target = null;
    if (wanted) {
        const w = wanted.toLowerCase();
        target = all.find((el) => (el.getAttribute('data-test-id') || '').toLowerCase() === w)
            // the innermost clickable element whose text names the account
            || all.filter((el) => text(el).toLowerCase().includes(w))
                .sort((a, b) => text(a).length - text(b).length)[0];
    } else {
        const other = document.getElementById('otherTile');
        target = other && visible(other) ? other
            : all.filter((el) => /use another account/i.test(text(el)))
                .sort((a, b) => text(a).length - text(b).length)[0];
    }
    if (!target) return false;
    target.setAttribute('data-sr-target', '1');
    return true;
}

async function snapshot(page) {
    try {
        return await page.mainFrame().evaluate(snapshotInPage);
    } catch {
        return null; // navigating: the execution context went away
    }
}

async function pageSummary(page) {
    try {
        const s = await page.mainFrame().evaluate(() => ({
            title: document.title || '',
            text: (document.body ? document.body.innerText || '' : '').replace(/\s+/g, ' ').trim(),
        }));
        return { page_title: s.title.slice(0, 200), page_text: s.text.slice(0, 500) };
    } catch (e) {
        return { page_title: '', page_text: '' };
    }
}

async function screenshot(page) {
    if (!screenshotPath || !page) return;
    try {
        await page.screenshot({ path: screenshotPath, timeout: cap(5000) });
    } catch { /* best effort */ }
}

// ---------------------------------------------------------------------------------------------------------------
async function afterRedirect(page, navigationFailure) {
    // The redirect request left the browser; give the app's answer a moment to load.
    let loaded = false;
    for (;;) {
        if (navigationFailure.value) break;
        try {
            await page.waitForLoadState('load', { timeout: cap(200) });
            // the app's answer, or a page it sends the browser on to from there
            if (new URL(page.url()).origin === redirect.origin) {
                loaded = true;
                break;
            }
        } catch { /* not yet */ }
        if (remaining() <= 0 || Date.now() - redirect.at > 10000) break;
        await sleep(50);
    }
    const summary = loaded ? await pageSummary(page) : { page_title: '', page_text: '' };
    await screenshot(page);
    const { at, origin, ...fields } = redirect;
    const result = { outcome: 'redirected', ...summary, ...fields, page_loaded: loaded };
    if (navigationFailure.value) result.page_load_error = navigationFailure.value;
    return result;
}

async function main() {
    if (!url) return { outcome: 'failed', reason: 'usage: operator.mjs <url>' };
    if (!ACTIONS.has(action)) return { outcome: 'failed', reason: `unknown SR_BROWSER_ACTION "${action}"` };
    if (!parseStart()) return { outcome: 'failed', reason: 'the argument is not a URL' };

    const { chromium } = await import('playwright-core');
    profileDir = keptProfile || fs.mkdtempSync(path.join(os.tmpdir(), 'sr-operator-'));
    if (keptProfile) fs.mkdirSync(keptProfile, { recursive: true });
    try {
        context = await chromium.launchPersistentContext(profileDir, {
            executablePath,
            headless: true,
            args: [...CHROMIUM_ARGS, ...trustArgs()],
            handleSIGINT: false,
            handleSIGTERM: false,
            handleSIGHUP: false,
            timeout: cap(15000),
            viewport: { width: 1024, height: 768 },
        });
    } catch (e) {
        return { outcome: 'failed', reason: `cannot start ${executablePath}: ${e.message.split('\n')[0]}` };
    }
    await restoreCookies();
    browserStartMs = Date.now() - startedAt;
    const page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(5000);

    // Watch the main frame's navigations for the loopback redirect, including redirects (302) to it.
    const navigationFailure = { value: null };
    page.on('request', (request) => {
        if (request.isNavigationRequest() && request.frame() === page.mainFrame() && isRedirect(request.url())) {
            noteRedirect(request.url(), request.method() === 'POST' ? request.postData() : null);
            redirect.at = Date.now();
        }
    });
    page.on('requestfailed', (request) => {
        if (redirect && request.isNavigationRequest() && request.frame() === page.mainFrame()
            && isRedirect(request.url())) {
            navigationFailure.value = (request.failure()?.errorText || 'failed').slice(0, 100);
        }
    });

    try {
        await page.goto(url, { waitUntil: 'commit', timeout: cap(15000) });
    } catch (e) {
        if (!redirect) {
            return { outcome: 'failed', reason: `cannot open the URL: ${e.message.split('\n')[0]}` };
        }
    }

    if (action === 'open-only') {
        while (!redirect && remaining() > 0) {
            try {
                await page.waitForLoadState('load', { timeout: cap(200) });
                break;
            } catch { /* not yet */ }
        }
        await sleep(Math.min(300, remaining())); // an immediate script/meta redirect
        if (redirect) return afterRedirect(page, navigationFailure);
        if (remaining() <= 0) return { outcome: 'failed', reason: 'timed out loading the page' };
        picker.shown = Boolean((await snapshot(page))?.picker);
        const summary = await pageSummary(page);
        await screenshot(page);
        return { outcome: 'opened', ...summary };
    }

    // The sign-in conversation: look, act once per stage, repeat until redirected, an error shows, or time is up.
    const done = new Set(); // stages already acted on, keyed by navigation generation
    let generation = 0;
    page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) generation += 1;
    });
    let last = null;
    let passwordSent = false;
    let continues = 0;
    while (remaining() > 0) {
        if (redirect) return afterRedirect(page, navigationFailure);
        const s = await snapshot(page);
        if (!s) {
            await sleep(50);
            continue;
        }
        last = s;
        const errorText = s.passwordError || s.usernameError;
        if (errorText) {
            await screenshot(page);
            return { outcome: 'sign-in-error', error_text: errorText.slice(0, 300),
                error_field: s.passwordError ? 'password' : 'username' };
        }

        const key = (stage) => `${generation}:${stage}`;
        try {
            if (s.picker) {
                picker.shown = true;
                if (!done.has(key('picker'))) {
                    done.add(key('picker'));
                    const found = await page.mainFrame().evaluate(markPickerTargetInPage, account || null);
                    if (!found && account) {
                        await screenshot(page);
                        return { outcome: 'failed', reason: `no tile for account ${account} on the account picker`,
                            tiles: s.tiles.length };
                    }
                    if (!found) {
                        return { outcome: 'failed', reason: 'account picker without "Use another account"' };
                    }
                    await page.click('[data-sr-target="1"]', { timeout: cap(5000) });
                    if (account) picker.picked = true;
                }
            } else if (action === 'cancel' && (s.user.visible || s.pass.visible)) {
                // Cancel means the Cancel/Back button and nothing else: never type credentials instead.
                if (!s.back) {
                    await screenshot(page);
                    return { outcome: 'failed', reason: 'no Cancel (#idBtn_Back) button on the sign-in page' };
                }
                if (!done.has(key('cancel'))) {
                    done.add(key('cancel'));
                    await page.click('#idBtn_Back', { timeout: cap(5000) });
                }
            } else if (s.user.visible || s.pass.visible) {
                const stage = `${s.user.visible ? 'u' : ''}${s.pass.visible ? 'p' : ''}`;
                if (!done.has(key(stage))) {
                    done.add(key(stage));
                    const userName = account && picker.picked && !env.SR_BROWSER_USER ? account : user;
                    if (s.user.visible && s.user.editable && s.user.value !== userName) {
                        await page.fill('#i0116', userName, { timeout: cap(5000) });
                    }
                    if (s.pass.visible) {
                        await page.fill('#i0118', action === 'wrong-password' ? wrongPassword : password,
                            { timeout: cap(5000) });
                        passwordSent = true;
                    }
                    if (s.submit) {
                        await page.click('#idSIButton9', { timeout: cap(5000) });
                    } else {
                        await page.press(s.pass.visible ? '#i0118' : '#i0116', 'Enter', { timeout: cap(5000) });
                    }
                }
            } else if (s.submit && passwordSent && continues < 3 && !done.has(key('continue'))) {
                // After the password: "Stay signed in?" or a consent page, both answered by #idSIButton9.
                done.add(key('continue'));
                continues += 1;
                await page.click('#idSIButton9', { timeout: cap(5000) });
            }
        } catch (e) {
            // A click that navigates can race with the snapshot; look again unless time is up.
            if (redirect) continue;
            if (remaining() <= 0) break;
        }
        await sleep(50);
    }
    if (redirect) return afterRedirect(page, navigationFailure);
    await screenshot(page);
    const where = last ? ` on page "${last.title.slice(0, 100)}": ${last.bodyText.slice(0, 200)}` : '';
    return { outcome: 'failed', reason: `timed out after ${timeoutMs} ms${where}` };
}

let result;
try {
    result = await main();
} catch (e) {
    result = { outcome: 'failed', reason: `error: ${String(e && e.message ? e.message : e).split('\n')[0]}` };
}
await finish(result);
