#!/usr/bin/env node
// End-to-end test of the web viewer against the real daemon: `polylogue serve` runs a scripted
// room whose image tool is a fake OpenAI Images API, headless Chromium opens the page the daemon
// serves, and the test checks what a person would see, that pause and resume work, and that an
// interjection typed into the page lands in the transcript before the models' next turn, and
// that a member chosen in the page to speak next does.
//
//   node tests/browser/viewer.test.mjs [POLYLOGUE_BINARY]
//
// The binary also comes from $POLYLOGUE_BINARY, Chromium from $CHROMIUM (default
// /usr/bin/chromium). $VIEWER_SCREENSHOT names a file to copy the screenshot to (that is how
// docs/images/viewer.png is made). Exits 0 on success, 1 with a precise message otherwise.

import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import * as chat from './lib/chat.mjs';
import {Daemon} from './lib/daemon.mjs';
import {check, Failure, waitFor as waitWithin} from './lib/expect.mjs';
import {startFakeImageApi} from './lib/fake_image_api.mjs';

const TIME_LIMIT_MS = 90_000;
const ROOM = 'harbour';
const TOKEN = 'viewer-test-' + randomBytes(8).toString('hex');
const IMAGE_KEY = 'fake-image-key';
const IMAGE_SIZE = {
    width: 240,
    height: 160
};
const binary = process.argv[2] || process.env.POLYLOGUE_BINARY;
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

// Each model's replies, in order. Markers like [lumen-2] make every reply recognisable.
const SCRIPTS = {
    Lumen: [
        '[lumen-1] Let me set the scene with a picture.\n!image "a lighthouse at dusk"',
        '[lumen-2] Escaping matters: <b>not bold</b> <script>window.__pwned = 1</script> & ' +
            '<img src=x onerror="window.__pwned = 2">',
        '[lumen-3] A code sample:\n```python\nprint("hello, harbour")\n```\nThat was all.',
        '[lumen-4] The tide turns.',
        '[lumen-5] The gulls agree.',
        '[lumen-6] Spare reply.',
    ],
    Quill: [
        '[quill-1] A fine image.\nIt has two lines.',
        '[quill-2] Cooler now.\n!temperature 0.7',
        '[quill-3] The beam sweeps the water.',
        '[quill-4] Night falls.',
        '[quill-5] The harbour sleeps.',
        '[quill-6] Spare reply.',
    ],
};
const OPENING = {
    speaker: 'ariadne',
    text: 'Describe the harbour at dusk, one line each.'
};

let step = 'starting';
let temp = null;
let daemon = null;
let browser = null;
let imageApi = null;
const pageErrors = [];

const log = (message) => process.stdout.write(message + '\n');
const indent = (text) => String(text).split('\n').map((line) => '    ' + line).join('\n');
const waitFor = (what, probe, timeoutMs) =>
    waitWithin(what, probe, timeoutMs, () => daemon && daemon.died());

async function cleanup() {
    if (browser)
        await browser.close().catch(() => {});
    if (imageApi)
        imageApi.server.close();
    if (daemon)
        daemon.kill();
}

async function fail(error) {
    log(`FAIL at step "${step}": ${error.message}`);
    if (error.seen !== undefined)
        log('the page showed:\n' + indent(error.seen));
    if (!(error instanceof Failure) && error.stack)
        log(indent(error.stack));
    if (pageErrors.length)
        log('errors raised in the page:\n' + indent(pageErrors.join('\n')));
    if (imageApi)
        log(`the image tool was called ${imageApi.requests} time(s)`);
    if (daemon)
        log('daemon output (last 40 lines):\n' + indent(daemon.tail() || '(none)'));
    if (temp)
        log(`files kept in ${temp}`);
    await cleanup();
    process.exit(1);
}

// ---- the configuration ----

function writeConfig(dir, imagePort, listen) {
    for (const [model, replies] of Object.entries(SCRIPTS)) {
        // JSON strings are YAML double-quoted scalars.
        fs.writeFileSync(
            path.join(dir, model.toLowerCase() + '.yaml'),
            replies.map((reply) => '- ' + JSON.stringify(reply)).join('\n') + '\n');
    }
    const config = `data_dir: data
control:
  listen: ${listen}
  token_env: POLYLOGUE_TOKEN
providers:
  stage: { kind: scripted }
models:
  - { name: Lumen, provider: stage, script: lumen.yaml }
  - { name: Quill, provider: stage, script: quill.yaml }
tools:
  - name: painter
    kind: openai_images
    base_url: http://127.0.0.1:${imagePort}
    model: gpt-image-1
    api_key_env: FAKE_IMAGE_KEY
rooms:
  - name: ${ROOM}
    members: [Lumen, Quill]
    max_turns: 8
    turn_delay: 1s
    opening: { speaker: ${OPENING.speaker}, text: ${JSON.stringify(OPENING.text)} }
    tools: { image: painter }
`;
    const file = path.join(dir, 'polylogue.yaml');
    fs.writeFileSync(file, config);
    return file;
}

// ---- the steps ----

async function openPage(page, listen) {
    step = 'open the page';
    await page.goto(`http://${listen}/?access_token=${encodeURIComponent(TOKEN)}#room=${ROOM}`);
    await waitFor(`room "${ROOM}" in the room list`, async () => {
        const names = await page.$$eval(
            '[data-testid="room-list"] [data-testid="room-item"]',
            (nodes) => nodes.map((n) => n.dataset.room));
        return {ok: names.includes(ROOM), seen: 'room-item data-room: ' + JSON.stringify(names)};
    });
    log('ok - the room is in the list');
}

async function pause(page) {
    step = 'pause the room';
    await waitFor('the pause button enabled (the room running)', async () => {
        const enabled = await page.isEnabled('[data-testid="pause"]');
        return {
            ok: enabled,
            seen: `pause enabled: ${enabled}; room-state: ${await chat.roomState(page)}`
        };
    }, 5_000);
    await page.click('[data-testid="pause"]');
    await waitFor('room-state "paused"', () => chat.stateProbe(page, 'paused'), 10_000);
    const room = await daemon.get(`/v1/rooms/${ROOM}`);
    check(room.state === 'paused', `the page shows paused but the API says "${room.state}"`);
    check(await page.isEnabled('[data-testid="resume"]'), 'expected resume enabled while paused');
    log('ok - pause shows paused');
}

// Returns the interjection's record.
async function interject(page) {
    step = 'interject';
    const words = 'Janus asks: what does the keeper see? ' + randomBytes(4).toString('hex');
    await page.fill('[data-testid="interject-speaker"]', 'janus');
    await page.fill('[data-testid="interject-text"]', words);
    await page.click('[data-testid="interject-send"]');
    await waitFor('the interjection in the chat as a message by janus', async () => {
        const answer = await chat.probe(
            page,
            (items) => items.find(
                (i) => i.kind === 'message' && i.speaker === 'janus' &&
                    chat.normalise(i.text) === words));
        const note = await page.textContent('[data-testid="interject-status"]');
        return {...answer, seen: `interject-status: "${note}"\n${answer.seen}`};
    });
    const left = await page.inputValue('[data-testid="interject-text"]');
    check(left === '', `expected the message box emptied once sent, it holds "${left}"`);
    const {records} = await daemon.get(`/v1/rooms/${ROOM}/transcript`);
    const janus =
        records.find((r) => r.type === 'message' && r.speaker === 'janus' && r.text === words);
    check(
        janus,
        `expected a message record by janus saying "${words}" in GET /v1/rooms/${
            ROOM}/transcript; its last records are`,
        JSON.stringify(records.slice(-5), null, 1));
    log(`ok - the interjection is in the transcript as #${janus.seq}`);
    return janus;
}

// While paused: the member the round robin would pass over (or AI-1 before anyone spoke, so
// that the scripts still start with AI-1) is chosen through the page to speak next.
async function chooseNext(page) {
    step = 'choose who speaks next';
    const before = (await daemon.get(`/v1/rooms/${ROOM}/transcript`)).records;
    const spoken = before.filter((r) => r.type === 'message' && chat.isAi(r.speaker));
    const chosen = spoken.length ? spoken[spoken.length - 1].speaker : 'AI-1';
    await page.selectOption('[data-testid="next-speaker"]', chosen);
    await page.click('[data-testid="next-send"]');
    let record = null;
    await waitFor(`a next_speaker record for ${chosen}`, async () => {
        const {records} = await daemon.get(`/v1/rooms/${ROOM}/transcript`);
        record = records.find((r) => r.type === 'next_speaker' && r.speaker === chosen);
        const note = await page.textContent('[data-testid="room-note"]');
        return {ok: Boolean(record), seen: `room-note: "${note}"; last records: ${
            JSON.stringify(records.slice(-3))}`};
    });
    check(
        record.chosen_by === 'operator janus',
        `expected the choice made by the page's speaker janus, the record says "${
            record.chosen_by}"`);
    log(`ok - ${chosen} chosen to speak next through the page (#${record.seq})`);
    return record;
}

// The chosen member took the first AI turn after its next_speaker record.
function checkChosenSpoke(records, choice) {
    step = 'check the chosen member spoke next';
    const after = records.find(
        (r) => r.seq > choice.seq && ['message', 'turn_failed', 'skip'].includes(r.type));
    check(
        after && after.speaker === choice.speaker,
        `expected ${choice.speaker} to take the turn after #${choice.seq}`,
        JSON.stringify(after));
    log(`ok - ${choice.speaker} spoke first after it was chosen (#${after.seq})`);
}

async function resume(page) {
    step = 'resume the room';
    await page.click('[data-testid="resume"]');
    await waitFor(
        'room-state "running" after resume', () => chat.stateProbe(page, 'running', 'ended'),
        10_000);
    log('ok - resume shows running');
}

async function seeImage(page) {
    step = 'see the image';
    await waitFor('an <img data-testid="image"> that loaded (naturalWidth > 0)', async () => {
        const images = await page.$$eval(
            '[data-testid="image"]',
            (nodes) => nodes.map(
                (n) =>
                    ({src: n.getAttribute('src'), complete: n.complete, width: n.naturalWidth})));
        const seen =
            'images: ' + JSON.stringify(images) + '\n' + chat.describe(await chat.items(page));
        return {ok: images.some((i) => i.complete && i.width > 0), seen};
    });
    const width = await page.$eval('[data-testid="image"]', (node) => node.naturalWidth);
    check(
        width === IMAGE_SIZE.width,
        `expected the tool's PNG, ${IMAGE_SIZE.width} px wide; the image is ${width} px wide`);
    log('ok - the generated image is shown');
}

// The chat shows every record of the transcript once, in order, each in its form.
function compareWithTranscript(items, records) {
    step = 'compare the chat with the transcript';
    const seen = chat.describe(items);
    const shown = JSON.stringify(items.map((i) => i.seq));
    const expected = JSON.stringify(records.map((r) => r.seq));
    check(
        shown === expected,
        `expected every record once, in seq order: ${expected}; the chat shows ${shown}`, seen);
    for (const [index, record] of records.entries()) {
        const item = items[index];
        const kind = {message: 'message', image: 'image-record'}[record.type] || 'badge';
        check(item.kind === kind, `expected #${record.seq} (${record.type}) as a ${kind}`, seen);
        if (record.type !== 'message')
            continue;
        check(
            item.speaker === record.speaker,
            `expected #${record.seq} by ${record.speaker}, the page says ${item.speaker}`, seen);
        check(
            chat.normalise(item.text) === chat.normalise(chat.withoutFences(record.text)),
            `expected #${record.seq} to read "${chat.normalise(record.text)}"`, seen);
    }
    log(`ok - the chat shows all ${records.length} records, in order`);
}

function checkScriptedOrder(items, records, janus) {
    step = 'check the scripted messages';
    const seen = chat.describe(items);
    const ai = items.filter((i) => i.kind === 'message' && chat.isAi(i.speaker));
    check(ai.length === 8, `expected 8 AI messages (max_turns 8), the chat has ${ai.length}`, seen);
    check(
        ai[0].speaker === 'AI-1' && ai[0].text.includes('[lumen-1]'),
        'expected AI-1 (Lumen) to speak first, with [lumen-1]', seen);
    const marker = (text) => (/\[(\w+-\d)\]/.exec(text) || [])[1];
    for (const [slot, model] of [['AI-1', 'Lumen'], ['AI-2', 'Quill']]) {
        const said = ai.filter((i) => i.speaker === slot).map((i) => marker(i.text));
        const script = SCRIPTS[model].slice(0, said.length).map(marker);
        check(
            said.length >= 3 && said.join() === script.join(),
            `expected ${slot} to say its script in order (${script}), the chat shows ${said}`,
            seen);
    }
    check(
        items.some((i) => i.speaker === OPENING.speaker && chat.normalise(i.text) === OPENING.text),
        `expected the opening by ${OPENING.speaker} as a message`, seen);
    const later =
        records.find((r) => r.type === 'message' && chat.isAi(r.speaker) && r.seq > janus.seq);
    check(later, `expected an AI message after the interjection #${janus.seq}`, seen);
    log(`ok - the scripted messages appear in order; ${later.speaker} spoke after the ` +
        `interjection (#${later.seq})`);
}

function inspectRendering(page) {
    return page.evaluate(() => {
        const messages = [...document.querySelectorAll('[data-testid="message"]')];
        const byMarker = (marker) => messages.find((n) => n.innerText.includes(marker));
        const colour = (speaker) => {
            const who = document.querySelector(`[data-speaker="${speaker}"] .who`);
            return who ? getComputedStyle(who).color : null;
        };
        const text = (node) => node ? node.innerText : null;
        const twoLines = byMarker('[quill-1]');
        const code = byMarker('[lumen-3]') && byMarker('[lumen-3]').querySelector('pre');
        return {
            pwned: window.__pwned === undefined ? null : window.__pwned,
            injected:
                document
                    .querySelectorAll('#chat b, #chat script, #chat img:not([data-testid="image"])')
                    .length,
            escaped: text(byMarker('[lumen-2]')),
            code: code ? code.textContent : null,
            twoLines: twoLines ? text(twoLines.querySelector('[data-testid="message-text"]')) :
                                 null,
            colours: [colour('AI-1'), colour('AI-2'), colour('janus')],
            live: document.querySelectorAll('[data-testid="live-message"]').length,
            badges: [...document.querySelectorAll('[data-testid="badge"]')].map(
                (n) => ({type: n.dataset.type, text: n.innerText})),
        };
    });
}

async function checkRendering(page) {
    step = 'check rendering';
    const shown = await inspectRendering(page);
    const info = JSON.stringify(shown, null, 1);
    check(
        shown.pwned === null && shown.injected === 0,
        'expected the HTML in a reply shown as text, not run', info);
    check(
        shown.escaped && shown.escaped.includes('<b>not bold</b> <script>'),
        'expected the reply [lumen-2] to show its HTML literally', info);
    check(shown.code === 'print("hello, harbour")', 'expected [lumen-3]\'s code in a <pre>', info);
    check(
        shown.twoLines && shown.twoLines.includes('A fine image.\nIt has two lines.'),
        'expected the line break of [quill-1] kept', info);
    check(
        shown.colours.every(Boolean) && new Set(shown.colours).size === 3,
        'expected AI-1, AI-2 and the human janus in three different colours', info);
    check(shown.live === 0, 'expected no provisional (streaming) bubble left at the end', info);
    const badge = (type, ...parts) =>
        shown.badges.some((b) => b.type === type && parts.every((p) => b.text.includes(p)));
    check(
        badge('command', '!image', 'a lighthouse at dusk', 'ok'),
        'expected a command badge for !image "a lighthouse at dusk", status ok', info);
    check(badge('command', '!temperature 0.7'), 'expected a command badge for !temperature', info);
    check(badge('join', 'AI-2', 'Quill'), 'expected a join badge for AI-2 (Quill)', info);
    check(badge('room_ended'), 'expected a room_ended badge', info);
    log('ok - text escaped, code fenced, line breaks kept, speakers coloured, badges shown');
}

async function checkStreaming(page, records) {
    step = 'check the streamed text';
    const watch = await page.evaluate(() => window.__liveWatch);
    const info = JSON.stringify(watch, null, 1);
    check(
        watch.stale.length === 0,
        `expected a speaker's provisional bubble gone once its message is committed; it stayed ` +
            `for ${watch.stale.join(', ')}`,
        info);
    check(
        watch.pairs.length > 0,
        'expected streamed text (token events) in a provisional bubble replaced by its message',
        info);
    for (const pair of watch.pairs) {
        const record = records.find((r) => r.seq === pair.seq);
        check(
            record && record.text === pair.text,
            `expected the text streamed before #${pair.seq} to be its committed text`, info);
    }
    log(`ok - streamed text shown in ${watch.bubbles} provisional bubble(s), ${
        watch.pairs.length} replaced by their message`);
}

async function screenshot(page) {
    step = 'take a screenshot';
    // From the top: joins, the opening, the interjection, the image and its command badge.
    await page.evaluate(() => {
        document.getElementById('scroller').scrollTop = 0;
    });
    const file = path.join(temp, 'viewer.png');
    await page.screenshot({path: file});
    if (process.env.VIEWER_SCREENSHOT)
        fs.copyFileSync(file, process.env.VIEWER_SCREENSHOT);
    log(`ok - screenshot in ${file}`);
}

// The daemon comes back on the same address with another token: the open page must ask for it,
// then carry on without losing or repeating a record.
async function renewToken(page, configFile, listen) {
    step = 'restart the daemon with another token';
    await daemon.stop();
    log('ok - SIGTERM: the daemon exited with code 0');
    const token = TOKEN + '-renewed';
    writeConfig(temp, imageApi.port, listen);
    daemon.start(configFile, {POLYLOGUE_TOKEN: token, FAKE_IMAGE_KEY: IMAGE_KEY});
    check(await daemon.ready() === listen, 'expected the restarted daemon on the same address');
    await page.waitForSelector('[data-testid="token-form"]', {state: 'visible', timeout: 20_000})
        .catch(() => {
            throw new Failure('expected the page to ask for a token once its own is refused');
        });
    await page.fill('[data-testid="token-input"]', token);
    await page.click('[data-testid="token-submit"]');
    const seqs = (await daemon.get(`/v1/rooms/${ROOM}/transcript`)).records.map((r) => r.seq);
    await waitFor(
        `the room again with the new token, records ${JSON.stringify(seqs)}`, async () => {
            const listed = await page.$$eval(
                '[data-testid="room-item"]', (nodes) => nodes.map((n) => n.dataset.room));
            const shown = (await chat.items(page)).map((i) => i.seq);
            const form = await page.isVisible('[data-testid="token-form"]');
            return {
                ok: !form && listed.includes(ROOM) &&
                    JSON.stringify(shown) === JSON.stringify(seqs),
                seen: `token form visible: ${form}; rooms: ${JSON.stringify(listed)}; records: ${
                    JSON.stringify(shown)}`
            };
        });
    check(
        new URL(page.url()).searchParams.get('access_token') === token,
        'expected the new token in the page\'s URL');
    log('ok - with its token refused, the page asks for one and carries on with it');
}

// "fork here" on a message after the image: the page asks for a name, the fork opens, says where
// it came from (a link back), shows the origin's records up to there, a forked badge, and the
// copied image, served by the fork's own image route.
async function forkHere(page) {
    step = 'fork the room at a message';
    const fork = ROOM + '-fork';
    const {records} = await daemon.get(`/v1/rooms/${ROOM}/transcript`);
    const image = records.find((r) => r.type === 'image');
    check(image, 'expected an image record in the room to fork');
    const at = records.find((r) => r.type === 'message' && r.seq > image.seq);
    let asked = null;
    page.once('dialog', (dialog) => {
        asked = dialog.message();
        dialog.accept(fork);
    });
    await page.click(`#chat > [data-seq="${at.seq}"] [data-testid="fork-here"]`);
    const origin = `forked from ${ROOM} at seq ${at.seq}`;
    await waitFor(`the fork "${fork}" open, saying "${origin}"`, async () => {
        const title = await page.textContent('[data-testid="room-title"]');
        const shown = await page.isVisible('[data-testid="room-origin"]') ?
            await page.textContent('[data-testid="room-origin"]') :
            '(hidden)';
        return {ok: title === fork && shown === origin, seen: `title "${title}", origin "${shown}"`};
    });
    check(asked && asked.includes(`seq ${at.seq}`), `expected the name asked for, got "${asked}"`);
    await waitFor('the copied records, a forked badge, then the fork going on', async () => {
        const answer = await chat.probe(page, (items) => {
            const forked = items.find((i) => i.type === 'forked');
            return forked && forked.seq === at.seq + 1 &&
                items.slice(0, at.seq).every((i, n) => i.seq === records[n].seq) &&
                items.some((i) => i.kind === 'message' && i.seq > forked.seq);
        });
        return answer;
    });
    await waitFor('the copied image loaded in the fork', async () => {
        const width = await page.$eval('[data-testid="image"]', (n) => n.naturalWidth).catch(() => 0);
        return {ok: width === IMAGE_SIZE.width, seen: `naturalWidth ${width}`};
    });
    const listed = (await daemon.get('/v1/rooms')).rooms.find((r) => r.name === fork);
    check(
        listed && listed.origin === ROOM && listed.origin_seq === at.seq,
        'expected the fork listed with its origin', JSON.stringify(listed));
    await page.click('[data-testid="room-origin-link"]');
    await waitFor(`the origin ${ROOM} open again`, async () => {
        const title = await page.textContent('[data-testid="room-title"]');
        const hidden = !(await page.isVisible('[data-testid="room-origin"]'));
        return {ok: title === ROOM && hidden, seen: `title "${title}", origin hidden: ${hidden}`};
    });
    log(`ok - "fork here" at #${at.seq} opened ${fork}, which links back to ${ROOM}`);
}

async function main() {
    check(binary, 'give the polylogue binary as the first argument or in POLYLOGUE_BINARY');
    let chromium;
    try {
        ({chromium} = await import('playwright-core'));
    } catch (error) {
        throw new Failure(
            `cannot load playwright-core (${error.message}); ` +
            'run: npm ci --prefix tests/browser');
    }
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'polylogue-viewer-'));
    step = 'start the fake image API';
    imageApi = await startFakeImageApi({key: IMAGE_KEY, size: IMAGE_SIZE});
    const configFile = writeConfig(temp, imageApi.port, '127.0.0.1:0');

    step = 'launch Chromium';  // before the daemon, whose room starts at once
    browser = await chromium.launch({executablePath: chromiumPath, args: ['--no-sandbox']});
    const context =
        await browser.newContext({viewport: {width: 1280, height: 900}, colorScheme: 'light'});
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.addInitScript(chat.watchLiveBubbles);

    step = 'start polylogue serve';
    daemon = new Daemon(binary, path.join(temp, 'data'));
    daemon.start(configFile, {POLYLOGUE_TOKEN: TOKEN, FAKE_IMAGE_KEY: IMAGE_KEY});
    const listen = await daemon.ready();
    log(`ok - the daemon listens on ${listen}`);

    // Paused as early as possible, so the room cannot end before the interjection.
    await openPage(page, listen);
    await pause(page);
    const janus = await interject(page);
    const choice = await chooseNext(page);
    await resume(page);
    await seeImage(page);

    step = 'play the room to its end';
    await waitFor('room-state "ended" (max_turns 8)', () => chat.stateProbe(page, 'ended'), 30_000);
    await waitFor(
        'a room_ended badge',
        () => chat.probe(page, (items) => items.some((i) => i.type === 'room_ended')), 5_000);
    const {records} = await daemon.get(`/v1/rooms/${ROOM}/transcript`);
    const items = await chat.items(page);
    compareWithTranscript(items, records);
    checkScriptedOrder(items, records, janus);
    checkChosenSpoke(records, choice);
    await checkRendering(page);
    await checkStreaming(page, records);
    await screenshot(page);
    await renewToken(page, configFile, listen);
    await forkHere(page);

    step = 'check the page raised no errors';
    check(pageErrors.length === 0, 'expected no uncaught errors in the page');
    step = 'stop the daemon';
    await browser.close();
    browser = null;
    await daemon.stop();
    log('ok - SIGTERM again: the daemon exited with code 0');
}

const timer = setTimeout(
    () => fail(new Failure(`time limit of ${TIME_LIMIT_MS / 1000} s reached`)), TIME_LIMIT_MS);
process.on('exit', () => daemon && daemon.kill());
for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => fail(new Failure('interrupted by ' + signal)));
}

try {
    await main();
    clearTimeout(timer);
    await cleanup();
    fs.rmSync(temp, {recursive: true, force: true});
    log('PASS browser.viewer');
} catch (error) {
    await fail(error);
}
