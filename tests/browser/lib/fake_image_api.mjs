// A fake OpenAI Images API (POST /images/generations) that answers with a small PNG it draws:
// a lighthouse at dusk, so the screenshot shows something recognisable.

import http from 'node:http';
import zlib from 'node:zlib';

function crc32(bytes) {
    let crc = 0xffffffff;
    for (const byte of bytes) {
        let c = (crc ^ byte) & 0xff;
        for (let k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        crc = (crc >>> 8) ^ c;
    }
    return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
}

function lighthousePixel(x, y, {width, height}) {
    const horizon = Math.round(height * 0.66);
    const inTower = x >= width * 0.68 && x < width * 0.76 && y >= height * 0.3 && y < horizon;
    if (inTower)
        return Math.floor(y / 10) % 2 ? [200, 40, 40] : [245, 245, 240];
    const inLamp = x >= width * 0.66 && x < width * 0.78 && y >= height * 0.22 && y < height * 0.3;
    if (inLamp)
        return [255, 214, 90];
    if (y < horizon) {
        const t = y / horizon;
        return [Math.round(40 + 210 * t), Math.round(40 + 100 * t), Math.round(110 - 40 * t)];
    }
    const wave = (x + y * 3) % 23 < 2 ? 30 : 0;
    return [20 + wave, 45 + wave, 90 + wave];
}

export function makePng(size) {
    const {width, height} = size;
    const raw = Buffer.alloc((width * 3 + 1) * height);  // each row: filter byte 0, then RGB
    for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
            raw.set(lighthousePixel(x, y, size), y * (width * 3 + 1) + 1 + x * 3);
        }
    }
    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header[8] = 8;  // bits per channel
    header[9] = 2;  // truecolour
    const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    return Buffer.concat([
        signature, pngChunk('IHDR', header), pngChunk('IDAT', zlib.deflateSync(raw)),
        pngChunk('IEND', Buffer.alloc(0))
    ]);
}

function refuse(response, status, message) {
    response.writeHead(status, {'content-type': 'application/json'});
    response.end(JSON.stringify({error: {message, type: 'invalid_request_error'}}));
}

// Listens on 127.0.0.1 and an ephemeral port; answers only a POST with the right key.
export async function startFakeImageApi({key, size}) {
    const b64 = makePng(size).toString('base64');
    const fake = {server: null, port: 0, requests: 0};
    fake.server = http.createServer((request, response) => {
        request.resume();
        request.on('end', () => {
            if (request.headers.authorization !== 'Bearer ' + key) {
                refuse(response, 401, 'wrong or missing API key');
            } else if (request.method !== 'POST' || request.url !== '/images/generations') {
                refuse(response, 404, `unexpected request ${request.method} ${request.url}`);
            } else {
                fake.requests += 1;
                response.writeHead(200, {'content-type': 'application/json'});
                response.end(JSON.stringify({created: 1, data: [{b64_json: b64}]}));
            }
        });
    });
    fake.server.listen(0, '127.0.0.1');
    await new Promise((resolve, reject) => {
        fake.server.once('listening', resolve);
        fake.server.once('error', reject);
    });
    fake.port = fake.server.address().port;
    return fake;
}
