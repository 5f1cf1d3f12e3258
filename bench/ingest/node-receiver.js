// The receiver an integrator writes from Smartcar's webhook recipe, for comparison with fleetmon:
// Node's http server, HMAC-SHA256 of the raw body keyed with the Application Management Token
// (hex) compared in constant time with SC-Signature, JSON.parse, 200. 401 on a bad signature.
//   node node-receiver.js PORT AMT_FILE     prints "listening on http://127.0.0.1:PORT/" when ready
'use strict';
const http = require('http');
const crypto = require('crypto');
const fs = require('fs');

const port = Number(process.argv[2]);
const amt = fs.readFileSync(process.argv[3], 'utf8').trim();

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const expected = Buffer.from(crypto.createHmac('sha256', amt).update(body).digest('hex'));
    const received = Buffer.from(String(req.headers['sc-signature'] || '').trim().toLowerCase());
    if (received.length !== expected.length || !crypto.timingSafeEqual(received, expected)) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end('{"error":"bad signature"}');
      return;
    }
    let payload;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch (e) {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end('{"error":"not JSON"}');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: 'accepted', eventId: payload.eventId }));
  });
});
server.keepAliveTimeout = 120000;
server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/`);
});
