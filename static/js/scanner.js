// Ticket scanner for an organizer's phone: camera -> BarcodeDetector -> POST each token.
// Scans are queued in localStorage first (each with its own client id) and sent in order, so a
// dropped connection loses nothing: the queue is resent when the link returns, and the server
// answers a resend of a scan it already has with "already".
const root = document.getElementById("scanner");
const $ = (id) => document.getElementById(id);
const QUEUE_KEY = "scan-queue:" + root.dataset.session;
const TICKETS_KEY = "scan-tickets:" + root.dataset.session;
const REPEAT_MS = 2500; // the same code in front of the camera is posted again only after this
const csrf = JSON.parse(document.body.getAttribute("hx-headers:inherited") || "{}")["x-csrftoken"] || "";
let lastCode = "", lastAt = 0, sending = false, video = $("scan-video"), detector = null, running = false;
// Every sentence comes from the page (data-messages), translated there; {name} marks a value.
const messages = JSON.parse(root.dataset.messages || "{}");
const say = (key, values = {}) => (messages[key] || key).replace(/\{(\w+)\}/g, (m, k) => String(values[k] ?? ""));
// Typed text (a name, an organisation) is isolated (U+2068 ... U+2069) so a stray direction override
// in it cannot reorder the sentence around it.
const isolate = (text) => text ? "\u2068" + text + "\u2069" : "";
const BANGLA_DIGITS = "০১২৩৪৫৬৭৮৯";
const digits = (n) => document.documentElement.lang === "bn" ? String(n).replace(/[0-9]/g, (d) => BANGLA_DIGITS[d])
  : String(n);

function load(key, fallback) {
  try { return JSON.parse(localStorage.getItem(key)) ?? fallback; } catch { return fallback; }
}
const queue = () => load(QUEUE_KEY, []);
const saveQueue = (items) => { localStorage.setItem(QUEUE_KEY, JSON.stringify(items)); showQueue(); };
const tickets = () => load(TICKETS_KEY, {});

function tokenOf(text) {
  const at = text.lastIndexOf("/t/");
  return (at >= 0 ? text.slice(at + 3).split(/[?#/]/)[0] : text).trim();
}

function show(kind, headline, detail) {
  const box = $("scan-result");
  box.className = "scan-result scan-" + kind;
  box.querySelector(".scan-headline").textContent = headline;
  box.querySelector(".scan-detail").textContent = detail || "";
}

function showQueue() {
  const n = queue().length, el = $("scan-queue");
  el.hidden = n === 0;
  el.textContent = n === 1 ? say("waiting_one") : say("waiting_many", { count: digits(n) });
}

function showCount(count) {
  if (!count) return;
  const strong = document.createElement("strong");
  strong.textContent = digits(Number(count.present));
  const [before, after] = say("present", { present: "\u0000", expected: digits(Number(count.expected)) }).split("\u0000");
  $("scan-count").replaceChildren(before, strong, after ?? "");
}

function showAnswer(answer) {
  if (answer.status === "ok") show("ok", say("checked_in"),
    [answer.name, answer.organisation].filter(Boolean).map(isolate).join(" · "));
  else if (answer.status === "already") show("already", say("already_at", { time: answer.local_time }), isolate(answer.name));
  else show("error", say("not_checked_in"), answer.message || say("refused"));
  showCount(answer.count);
}

async function post(item) {
  const response = await fetch(root.dataset.submit, {
    method: "POST", credentials: "same-origin",
    headers: { "content-type": "application/json", "accept": "application/json", "x-csrftoken": csrf },
    body: JSON.stringify(item),
  });
  if (response.status >= 500 || response.status === 403 || response.status === 401) {
    throw new Error(response.status === 403 ? "login" : "server");
  }
  return response.json();
}

// Send the queue in order; an item leaves the queue only once the server has answered it.
async function flush(showLast) {
  if (sending || !navigator.onLine) return;
  sending = true;
  try {
    for (let items = queue(); items.length; items = queue()) {
      const item = items[0];
      let answer;
      try { answer = await post(item); } catch (error) {
        if (error.message === "login") show("error", say("log_in_again"), say("kept_on_phone"));
        break;
      }
      saveQueue(queue().filter((x) => x.client_id !== item.client_id));
      if (showLast && item.client_id === showLast) showAnswer(answer); else showCount(answer.count);
    }
  } finally { sending = false; showQueue(); }
}

function newId() {
  return (crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random().toString(16).slice(2));
}

async function scanned(text) {
  const token = tokenOf(text), now = Date.now();
  if (!token || (token === lastCode && now - lastAt < REPEAT_MS)) return;
  lastCode = token; lastAt = now;
  const item = { client_id: newId(), token, scanned_at: new Date().toISOString() };
  saveQueue(queue().concat([item]));
  if (navigator.onLine) await flush(item.client_id);
  if (queue().some((x) => x.client_id === item.client_id)) {
    const name = tickets()[token];
    if (name) show("already", say("saved_offline", { name: isolate(name) }), say("sent_later"));
    else show("error", say("unknown_code"), say("not_on_list"));
  }
}

async function makeDetector() {
  if (!("BarcodeDetector" in window)) {
    const mod = await import(root.dataset.polyfill);
    // The wasm must come from this server, set BEFORE the first detector is created.
    mod.prepareZXingModule({ overrides: { locateFile: (path, prefix) =>
      path.endsWith(".wasm") ? root.dataset.wasm : prefix + path } });
  }
  return new window.BarcodeDetector({ formats: ["qr_code"] });
}

async function loop() {
  if (!running) return;
  if (video.readyState >= 2) {
    try {
      const codes = await detector.detect(video);
      if (codes.length) await scanned(codes[0].rawValue);
    } catch (error) { /* a frame that cannot be read: try the next one */ }
  }
  setTimeout(loop, 150);
}

async function start() {
  try {
    detector = detector || await makeDetector();
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" } }, audio: false });
    video.srcObject = stream;
    await video.play();
    running = true;
    $("scan-start").hidden = true;
    $("scan-status").textContent = say("camera_on");
    loop();
  } catch (error) {
    $("scan-status").textContent = say("camera_failed", { error: error.name });
  }
}

async function preload() {
  try {
    const response = await fetch(root.dataset.tickets, { credentials: "same-origin" });
    if (response.ok) localStorage.setItem(TICKETS_KEY, JSON.stringify((await response.json()).tickets));
  } catch (error) { /* offline: keep the list we had */ }
}

$("scan-start").addEventListener("click", start);
window.addEventListener("online", () => flush(null));
setInterval(() => { if (queue().length) flush(null); }, 5000);
showQueue();
preload();
flush(null);
start();
