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
  el.textContent = n + (n === 1 ? " scan" : " scans") + " waiting to send";
}

function showCount(count) {
  if (count) $("scan-count").innerHTML = "<strong></strong> of " + Number(count.expected) + " present";
  if (count) $("scan-count").querySelector("strong").textContent = String(count.present);
}

function showAnswer(answer) {
  if (answer.status === "ok") show("ok", "Checked in", [answer.name, answer.organisation].filter(Boolean).join(" · "));
  else if (answer.status === "already") show("already", "Already checked in at " + answer.local_time, answer.name);
  else show("error", "Not checked in", answer.message || "Refused.");
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
        if (error.message === "login") show("error", "Please log in again", "Scans are kept on this phone.");
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
    if (name) show("already", "Saved offline · probably OK: " + name, "Will be sent when the connection returns.");
    else show("error", "Unknown code", "Not a ticket of this session's list. Kept to check when back online.");
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
    $("scan-status").textContent = "Camera on. Hold a ticket in front of it.";
    loop();
  } catch (error) {
    $("scan-status").textContent = "The camera could not start (" + error.name + "). Find people by name below.";
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
