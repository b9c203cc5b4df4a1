// Tests and feedback on a participant's phone: one question a screen, a time limit, and answers
// that survive a dropped connection. Without this script the same form is one page that posts.
//
// Answers are saved in localStorage as they are given ("draft:" + the form's data-offline key). On
// "send" they move to an outbox ("outbox:" + key) and are posted; when the post fails for want of a
// connection they stay there and are posted again when the browser is back online (and every 15 s),
// also after a reload. The key names one attempt (or one person's feedback form), and the server
// stores an attempt's answers once: a resend after a lost answer is recognised, never counted twice.
(() => {
  const form = document.querySelector("form[data-offline]");
  const received = document.querySelector("[data-received]");
  if (received) {  // the server has the answers: forget the phone's copy
    localStorage.removeItem("draft:" + received.dataset.received);
    localStorage.removeItem("outbox:" + received.dataset.received);
  }
  if (!form) return;
  const key = form.dataset.offline;
  const DRAFT = "draft:" + key, OUTBOX = "outbox:" + key;
  const messages = JSON.parse(form.dataset.messages || "{}");
  const say = (name, values = {}) => (messages[name] || "").replace(/\{(\w+)\}/g, (m, k) => String(values[k] ?? ""));
  const BANGLA_DIGITS = "০১২৩৪৫৬৭৮৯";
  const digits = (text) => document.documentElement.lang === "bn"
    ? String(text).replace(/[0-9]/g, (d) => BANGLA_DIGITS[d]) : String(text);
  const status = form.querySelector(".send-status");
  const sendButton = form.querySelector("button[type=submit]");
  const questions = Array.from(form.querySelectorAll("fieldset.question"));
  let sending = false, retry = null, current = 0;

  function fields() {
    return Array.from(new FormData(form).entries()).filter(([name]) => name !== "_csrf_token");
  }

  function restore() {
    let saved = null;
    try { saved = JSON.parse(localStorage.getItem(DRAFT)); } catch { saved = null; }
    if (!saved) return;
    for (const el of form.elements) {
      if (!el.name || el.name === "_csrf_token") continue;
      const values = saved.fields.filter(([name]) => name === el.name).map(([, value]) => value);
      if (el.type === "radio" || el.type === "checkbox") el.checked = values.includes(el.value);
      else if (el.tagName === "INPUT" || el.tagName === "TEXTAREA") el.value = values[0] ?? el.value;
    }
    current = Math.min(saved.step || 0, Math.max(questions.length - 1, 0));
  }

  function save() {
    localStorage.setItem(DRAFT, JSON.stringify({ fields: fields(), step: current }));
  }

  // One question a screen: Back and Next, the send button on the last one. The status line sits below the
  // button, so a message that appears or goes (as the last answer is typed) never moves the button under a tap.
  const stepped = form.classList.contains("answers") && form.id === "answers" && questions.length > 1;
  const nav = form.querySelector(".q-nav"), progress = form.querySelector(".q-progress");

  function unanswered() {
    const names = new Set(fields().filter(([, v]) => String(v).trim() !== "").map(([name]) => name));
    return questions.filter((q) => {
      const input = q.querySelector("input");
      return input && !names.has(input.name);
    }).length;
  }

  function show(step) {
    current = Math.max(0, Math.min(step, questions.length - 1));
    questions.forEach((q, i) => q.classList.toggle("current", i === current));
    progress.textContent = say("progress", { n: digits(current + 1), total: digits(questions.length) });
    nav.querySelector("[data-step='-1']").disabled = current === 0;
    const last = current === questions.length - 1;
    nav.querySelector("[data-step='1']").hidden = last;
    sendButton.hidden = !last;
    if (last && !sending && !localStorage.getItem(OUTBOX)) {
      const missing = unanswered();
      status.textContent = missing ? say("unanswered", { count: digits(missing) }) : "";
    } else if (!localStorage.getItem(OUTBOX)) {
      status.textContent = "";
    }
  }

  if (stepped) {
    form.classList.add("steps");
    nav.hidden = false;
    progress.hidden = false;
    nav.addEventListener("click", (event) => {
      const button = event.target.closest("[data-step]");
      if (!button) return;
      show(current + Number(button.dataset.step));
      save();
      const shown = questions[current];
      progress.scrollIntoView({ block: "nearest" });  // the question's top, below the sticky timer
      const first = shown.querySelector("input");
      if (first) first.focus({ preventScroll: true });
    });
  }

  function lock(locked) {
    for (const el of form.elements) if (el.name !== "_csrf_token") el.disabled = locked;
  }

  async function send() {
    const body = localStorage.getItem(OUTBOX);
    if (!body || sending) return;
    sending = true;
    status.textContent = say("sending");
    lock(true);
    try {
      const response = await fetch(form.action, {
        method: "POST", body, credentials: "same-origin", redirect: "follow",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html" },
      });
      if (response.ok) {
        localStorage.removeItem(OUTBOX);
        localStorage.removeItem(DRAFT);
        clearInterval(retry);
        window.location.replace(response.url);
        return;
      }
      // Refused (the form expired, the link is wrong): keep the answers, let the person reload and resend.
      status.textContent = say("failed", { status: digits(response.status) });
      localStorage.removeItem(OUTBOX);
      lock(false);
    } catch {
      status.textContent = say("offline");
      if (!retry) retry = setInterval(send, 15000);
    } finally {
      sending = false;
    }
  }

  function queue() {
    save();
    const data = new URLSearchParams();
    for (const [name, value] of new FormData(form).entries()) data.append(name, value);
    localStorage.setItem(OUTBOX, data.toString());
    send();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    queue();
  });
  form.addEventListener("input", save);
  form.addEventListener("change", () => { save(); if (stepped) show(current); });
  window.addEventListener("online", send);

  // The time limit: counted from what the server said was left, so a wrong phone clock does not matter.
  const timer = document.getElementById("timer");
  if (timer) {
    const end = Date.now() + Number(timer.dataset.remaining) * 1000;
    const tick = () => {
      const left = Math.max(0, Math.round((end - Date.now()) / 1000));
      const text = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
      timer.textContent = say("time_left", { time: digits(text) });
      if (left === 0) {
        clearInterval(ticking);
        timer.textContent = say("time_up");
        if (!localStorage.getItem(OUTBOX)) queue();
      }
    };
    const ticking = setInterval(tick, 1000);
    tick();
  }

  restore();
  if (stepped) show(current);
  if (localStorage.getItem(OUTBOX)) {  // answers sent from this phone that the server has not confirmed
    status.textContent = say("waiting");
    send();
  }
})();
