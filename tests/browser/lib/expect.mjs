// Failures that say what was expected and what was seen, and polling with a deadline.

import {setTimeout as sleep} from 'node:timers/promises';

// An expectation that did not hold; `seen` is what the page (or the API) showed instead.
export class Failure extends Error {
    constructor(message, seen) {
        super(message);
        this.seen = seen;
    }
}

export function check(condition, message, seen) {
    if (!condition)
        throw new Failure(message, seen);
}

// Polls probe() until it answers {ok: true, value}; otherwise fails with what it saw last.
// abort() may name a reason to stop waiting at once (the daemon died).
export async function waitFor(what, probe, timeoutMs = 15_000, abort = () => null) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const reason = abort();
        if (reason)
            throw new Failure(`${reason} while waiting for ${what}`);
        const answer = await probe();
        if (answer.ok)
            return answer.value;
        if (Date.now() > deadline) {
            throw new Failure(`expected ${what} within ${timeoutMs / 1000} s`, answer.seen);
        }
        await sleep(100);
    }
}
