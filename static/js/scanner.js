// Ticket scanner for an organizer's phone: camera -> BarcodeDetector -> POST each token.
// Scans are queued in localStorage first (each with its own client id) and sent in order, so a
// dropped connection loses nothing: the queue is resent when the link returns, and the server
// answers a resend of a scan it already has with "already".
// A code is one scan while it stays in view: a ticket held in front of the camera is posted once,
// and its answer stays on screen until another code is read (or none for a while). Only when it
// has been out of view for FORGET_MS does the same code count as a new scan.
// Decoders: the browser's BarcodeDetector, else the ZXing polyfill (WebAssembly), else jsQR (plain
// JavaScript) where WebAssembly is unavailable (disabled by policy, iOS Lockdown Mode, old WebViews).
const root = document.getElementById("scanner");
const $ = (id) => document.getElementById(id);
const QUEUE_KEY = "scan-queue:" + root.dataset.session;
const TICKETS_KEY = "scan-tickets:" + root.dataset.session;
const FORGET_MS = 2000; // a code unseen this long has left the camera's view
const IDLE_MS = 8000; // with no code in view this long, the answer gives way to "Ready"
const csrf = JSON.parse(document.body.getAttribute("hx-headers:inherited") || "{}")["x-csrftoken"] || "";
let inView = "", seenAt = 0, sending = false, video = $("scan-video"), detector = null, running = false;
let idleTimer = null, pending = null, failures = 0; // pending: a scan outside the check-in window, waiting to be confirmed
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
  $("scan-confirm").hidden = true;
  pending = null;
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

function showAnswer(answer, item) {
  if (answer.status === "ok") show("ok", say("checked_in"),
    [answer.name, answer.organisation].filter(Boolean).map(isolate).join(" · "));
  else if (answer.status === "already") show("already", say("already_at", { time: answer.local_time }), isolate(answer.name));
  else if (answer.status === "undone") show("already", say("undone_at", { time: answer.local_time,
    by: isolate(answer.undone_by) }), isolate(answer.name));
  else if (answer.status === "outside" && item) {
    show("already", say("outside_window"), answer.message);
    pending = item; // "Check in anyway" sends this scan again, confirmed
    $("scan-confirm").hidden = false;
  } else show("error", say("not_checked_in"), answer.message || say("refused"));
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
      if (showLast && item.client_id === showLast) showAnswer(answer, item); else showCount(answer.count);
    }
  } finally { sending = false; showQueue(); }
}

function newId() {
  return (crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random().toString(16).slice(2));
}

async function send(item) {
  saveQueue(queue().concat([item]));
  if (navigator.onLine) await flush(item.client_id);
  if (queue().some((x) => x.client_id === item.client_id)) {
    const name = tickets()[item.token];
    if (name) show("already", say("saved_offline", { name: isolate(name) }), say("sent_later"));
    else show("error", say("unknown_code"), say("not_on_list"));
  }
}

// A code read from the camera: a new scan only if it is not the one already in view.
async function seen(text) {
  const token = tokenOf(text), now = Date.now();
  if (!token) return;
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => { if (!inView && !pending) show("idle", say("ready"), say("point")); }, IDLE_MS);
  const again = token === inView;
  inView = token; seenAt = now;
  if (!again) await send({ client_id: newId(), token, scanned_at: new Date().toISOString() });
}

function confirmPending() {
  if (!pending) return;
  const item = { ...pending, confirm: true };
  $("scan-confirm").hidden = true;
  send(item);
}

function wasmAvailable() {
  return typeof WebAssembly === "object" && typeof WebAssembly.instantiate === "function";
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = Object.assign(document.createElement("script"), { src, onload: resolve, onerror: reject });
    document.head.append(script);
  });
}

// jsQR (plain JavaScript): the frame is drawn on a canvas, at most 640 px wide, and decoded there.
async function jsqrDetector() {
  if (!window.jsQR) await loadScript(root.dataset.jsqr);
  const canvas = document.createElement("canvas"), context = canvas.getContext("2d", { willReadFrequently: true });
  return { decoder: "jsqr", detect: async (source) => {
    const scale = Math.min(1, 640 / (source.videoWidth || 640));
    canvas.width = Math.round((source.videoWidth || 640) * scale);
    canvas.height = Math.round((source.videoHeight || 480) * scale);
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    return found ? [{ rawValue: found.data }] : [];
  } };
}

async function makeDetector() {
  if ("BarcodeDetector" in window) return new window.BarcodeDetector({ formats: ["qr_code"] });
  if (!wasmAvailable()) return jsqrDetector();
  try {
    const mod = await import(root.dataset.polyfill);
    // The wasm must come from this server, set BEFORE the first detector is created.
    mod.prepareZXingModule({ overrides: { locateFile: (path, prefix) =>
      path.endsWith(".wasm") ? root.dataset.wasm : prefix + path } });
    return new window.BarcodeDetector({ formats: ["qr_code"] });
  } catch (error) {
    return jsqrDetector(); // the polyfill would not load (WebAssembly refused): decode in JavaScript
  }
}

async function loop() {
  if (!running) return;
  if (video.readyState >= 2) {
    try {
      const codes = await detector.detect(video);
      failures = 0;
      if (codes.length) await seen(codes[0].rawValue);
      else if (inView && Date.now() - seenAt > FORGET_MS) inView = ""; // it left the camera's view
    } catch (error) {
      // A frame that cannot be read: try the next one. A decoder that reads none (WebAssembly
      // refused after it loaded) gives way to jsQR.
      if (++failures > 20 && !detector.decoder) detector = await jsqrDetector();
    }
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
    root.dataset.decoder = detector.decoder || "barcode-detector"; // which decoder runs (tests read it)
    $("scan-status").textContent = say("camera_on");
    loop();
  } catch (error) {
    // Say what happened and what to do, in the page's language (never the browser's error name).
    const reason = { NotFoundError: "no_camera", OverconstrainedError: "no_camera", NotAllowedError: "camera_refused",
      SecurityError: "camera_refused", NotReadableError: "camera_busy" }[error && error.name] || "camera_failed";
    $("scan-status").textContent = say(navigator.mediaDevices ? reason : "camera_needs_https");
    $("scan-status").classList.add("scan-camera-problem");
    $("scan-manual").hidden = false;
  }
}

async function preload() {
  try {
    const response = await fetch(root.dataset.tickets, { credentials: "same-origin" });
    if (response.ok) localStorage.setItem(TICKETS_KEY, JSON.stringify((await response.json()).tickets));
  } catch (error) { /* offline: keep the list we had */ }
}

$("scan-start").addEventListener("click", start);
$("scan-confirm").addEventListener("click", confirmPending);
window.addEventListener("online", () => flush(null));
setInterval(() => { if (queue().length) flush(null); }, 5000);
showQueue();
preload();
flush(null);
start();
