// Reading the viewer's chat through its data-testid hooks, for probes and failure messages.

// Every transcript item in the chat, in page order.
export function items(page) {
    return page.$$eval(
        '#chat > [data-seq]',
        (nodes) => nodes.map(
            (node) => ({
                seq: Number(node.dataset.seq),
                kind: node.dataset.testid,
                type: node.dataset.type || null,
                speaker: node.dataset.speaker || null,
                text: (node.querySelector('[data-testid="message-text"]') || node).innerText,
            })));
}

export function describe(shown) {
    if (!shown.length)
        return '(an empty chat)';
    return shown
        .map(
            (item) => `#${item.seq} ${item.kind}${item.type ? '/' + item.type : ''}` +
                `${item.speaker ? ' ' + item.speaker : ''}: ` +
                item.text.replace(/\s+/g, ' ').slice(0, 90))
        .join('\n');
}

export async function probe(page, predicate) {
    const shown = await items(page);
    const value = predicate(shown);
    return {ok: Boolean(value), value, seen: describe(shown)};
}

export async function roomState(page) {
    return page.$eval('[data-testid="room-state"]', (n) => n.hidden ? '(hidden)' : n.textContent)
        .catch((error) => '(no room-state: ' + error.message + ')');
}

export async function stateProbe(page, ...wanted) {
    const state = await roomState(page);
    return {ok: wanted.includes(state), seen: 'room-state: ' + state};
}

export const normalise = (text) => text.replace(/\s+/g, ' ').trim();
export const withoutFences = (text) =>
    text.split('\n').filter((line) => !/^\s*(`{3,}|~{3,})/.test(line)).join('\n');
export const isAi = (speaker) => /^AI-\d$/.test(speaker || '');

// Installed in the page before its own script runs: watches the provisional bubbles of streamed
// text. Each bubble the page removes as its message is committed is paired with that message (the
// page removes one and adds the other in one task, so they are adjacent mutation records); a
// message added while its speaker's bubble stays is stale.
export function watchLiveBubbles() {
    const watch = {bubbles: 0, pairs: [], stale: []};
    window.__liveWatch = watch;
    document.addEventListener('DOMContentLoaded', () => {
        const observer = new MutationObserver((mutations) => {
            const removed = new Map();  // only this task's: clearLive() pairs with nothing
            for (const mutation of mutations) {
                for (const node of mutation.removedNodes) {
                    if (node.dataset && node.dataset.testid === 'live-message') {
                        removed.set(
                            node.dataset.speaker,
                            node.querySelector('[data-testid="live-text"]').textContent);
                    }
                }
                for (const node of mutation.addedNodes) {
                    if (!node.dataset)
                        continue;
                    if (node.dataset.testid === 'live-message')
                        watch.bubbles += 1;
                    if (node.dataset.testid !== 'message')
                        continue;
                    const speaker = node.dataset.speaker;
                    if (document.querySelector(`#live [data-speaker="${speaker}"]`)) {
                        watch.stale.push(`#${node.dataset.seq} ${speaker}`);
                    }
                    if (removed.has(speaker)) {
                        watch.pairs.push(
                            {seq: Number(node.dataset.seq), speaker, text: removed.get(speaker)});
                        removed.delete(speaker);
                    }
                }
            }
        });
        observer.observe(document.getElementById('live'), {childList: true});
        observer.observe(document.getElementById('chat'), {childList: true});
    });
}
