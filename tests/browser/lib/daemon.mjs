// `polylogue serve` as a child process: started, found through DATA_DIR/serve.json, asked over
// the control API, stopped with SIGTERM. Its output is kept for failure messages.

import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';

import {check, Failure, waitFor} from './expect.mjs';

export class Daemon {
    constructor(binary, dataDir) {
        this.binary = binary;
        this.dataDir = dataDir;
        this.child = null;
        this.exit = null;  // how it ended, once it has: "code 0", "signal SIGKILL", ...
        this.output = '';
        this.listen = null;
        this.token = null;
    }

    start(configFile, env) {
        if (this.output)
            this.output += '\n--- polylogue serve started again ---\n';
        this.exit = null;
        this.token = env.POLYLOGUE_TOKEN;
        const child = spawn(this.binary, ['serve', configFile], {
            env: {...process.env, ...env},
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        const keep = (chunk) => {
            this.output = (this.output + chunk).slice(-64 * 1024);
        };
        child.stdout.on('data', keep);
        child.stderr.on('data', keep);
        child.on('error', (error) => {
            this.exit = 'could not start: ' + error.message;
        });
        child.on('exit', (code, signal) => {
            this.exit = signal ? 'signal ' + signal : 'code ' + code;
        });
        this.child = child;
    }

    running() { return this.child !== null && this.exit === null; }

    // A reason to stop waiting, for waitFor.
    died() { return this.child && this.exit !== null ? `the daemon exited (${this.exit})` : null; }

    tail(lines = 40) { return this.output.split('\n').slice(-lines).join('\n'); }

    // Waits for serve.json naming this process, then for /healthz; returns HOST:PORT.
    async ready() {
        const file = path.join(this.dataDir, 'serve.json');
        const pid = this.child.pid;
        this.listen =
            await waitFor(`${file} with "listen" and the daemon's pid ${pid}`, async () => {
                try {
                    const serve = JSON.parse(fs.readFileSync(file, 'utf8'));
                    const ok = typeof serve.listen === 'string' && serve.pid === pid;
                    return {ok, value: serve.listen, seen: JSON.stringify(serve)};
                } catch (error) {
                    return {ok: false, seen: error.message};
                }
            }, 20_000, () => this.died());
        await waitFor(`GET http://${this.listen}/healthz to answer 200`, async () => {
            try {
                const response = await fetch(`http://${this.listen}/healthz`);
                return {ok: response.status === 200, seen: 'status ' + response.status};
            } catch (error) {
                return {ok: false, seen: error.message};
            }
        }, 15_000, () => this.died());
        return this.listen;
    }

    async get(route) {
        const url = `http://${this.listen}${route}`;
        const response = await fetch(url, {headers: {authorization: 'Bearer ' + this.token}});
        const body = await response.text();
        if (!response.ok) {
            throw new Failure(`GET ${route} answered ${response.status}: ${body.slice(0, 300)}`);
        }
        return JSON.parse(body);
    }

    async stop() {
        this.child.kill('SIGTERM');
        const deadline = Date.now() + 10_000;
        while (this.exit === null && Date.now() < deadline)
            await sleep(50);
        check(
            this.exit === 'code 0',
            `expected the daemon to exit with code 0 within 10 s of SIGTERM, got ${
                this.exit ?? 'no exit'}`);
    }

    kill() {
        if (this.running())
            this.child.kill('SIGKILL');
    }
}
