// Interop with Smartcar's official Node SDK (`smartcar` on npm, pinned in package-lock.json):
//  1. the SDK's hashChallenge() equals fleetmon's VERIFY answer, in both payload forms;
//  2. a body signed the SDK's way (hashChallenge(amt, JSON.stringify(body))) is accepted by fleetmon,
//     and the same body with one byte changed is refused;
//  3. fleetsim's deliveries satisfy an integrator's receiver built on the SDK's verifyPayload().
// Usage: node interop.mjs FLEETMON_BINARY FLEETSIM_BINARY
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';

const require = createRequire(import.meta.url);
const smartcar = require('smartcar');
const [fleetmonBinary, fleetsimBinary] = process.argv.slice(2);
const amt = 'interop-' + randomUUID();
const dir = mkdtempSync(join(tmpdir(), 'fleetmon-interop-'));
const amtFile = join(dir, 'amt');
writeFileSync(amtFile, amt);

let failures = 0;
function check(condition, what) {
  console.log(`${condition ? 'PASS' : 'FAIL'}: ${what}`);
  if (!condition) failures++;
}

function startFleetmon() {
  return new Promise((resolve, reject) => {
    const child = spawn(fleetmonBinary, ['--headless', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'data'),
                                         '--amt-file', amtFile]);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve({ child, url: m[1] });
    });
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.on('exit', (code) => reject(new Error(`fleetmon exited with ${code} before listening`)));
  });
}

async function post(url, body, signature) {
  const headers = { 'Content-Type': 'application/json' };
  if (signature) headers['SC-Signature'] = signature;
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, body: await response.text() };
}

async function fleetmonSide() {
  const { child, url } = await startFleetmon();
  try {
    const challenge = randomUUID();
    for (const body of [{ eventId: randomUUID(), eventType: 'VERIFY', data: { challenge } },
                        { version: '2.0', eventName: 'verify', payload: { challenge } }]) {
      const r = await post(url, JSON.stringify(body));
      const answer = JSON.parse(r.body).challenge;
      check(r.status === 200 && answer === smartcar.hashChallenge(amt, challenge),
            `VERIFY (${body.eventType ? 'unified' : 'legacy'}) answer equals the SDK's hashChallenge`);
    }

    const delivery = {
      eventId: randomUUID(), eventType: 'VEHICLE_STATE',
      data: { vehicle: { id: randomUUID(), make: 'TESLA', model: 'Model 3', year: 2020 },
              signals: [{ code: 'tractionbattery-stateofcharge', name: 'StateOfCharge', group: 'TractionBattery',
                          body: { unit: 'percent', value: 78 }, meta: { oemUpdatedAt: 1731940328000 } }] },
      meta: { version: '4.0', mode: 'LIVE' },
    };
    const raw = JSON.stringify(delivery);
    const signature = smartcar.hashChallenge(amt, raw); // what verifyPayload() compares against
    check(smartcar.verifyPayload(amt, signature, delivery), 'the SDK verifies its own signature');
    const accepted = await post(url, raw, signature);
    check(accepted.status === 200 && JSON.parse(accepted.body).status === 'accepted',
          `fleetmon accepts a body signed by the SDK (got ${accepted.status} ${accepted.body})`);
    const tampered = await post(url, raw.replace('"value":78', '"value":79'), signature);
    check(tampered.status === 401, `fleetmon refuses the same signature on a changed body (got ${tampered.status})`);
  } finally {
    child.kill('SIGTERM');
  }
}

async function fleetsimSide() {
  let verified = 0, refused = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const signature = req.headers['sc-signature'];
      // The integrator's recipe: parse, then verifyPayload() on the parsed object.
      const ok = smartcar.verifyPayload(amt, signature, JSON.parse(raw)) &&
                 smartcar.hashChallenge(amt, raw) === signature;
      ok ? verified++ : refused++;
      res.writeHead(ok ? 200 : 401).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/webhooks/smartcar`;
  const code = await new Promise((resolve) => {
    const sim = spawn(fleetsimBinary, ['--url', url, '--amt-file', amtFile, '--vehicles', '5', '--rate', '50',
                                       '--duration', '1', '--connections', '2', '--seed', '7']);
    sim.stdout.on('data', (c) => process.stdout.write(c));
    sim.stderr.on('data', (c) => process.stderr.write(c));
    sim.on('exit', resolve);
  });
  server.close();
  check(code === 0 && verified >= 5 && refused === 0,
        `an SDK-based receiver verifies every fleetsim delivery (${verified} verified, ${refused} refused)`);
}

try {
  await fleetmonSide();
  await fleetsimSide();
} catch (e) {
  console.log(`FAIL: ${e.stack}`);
  failures++;
}
process.exit(failures ? 1 : 0);
