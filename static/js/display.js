// Venue screen: the countdown ticks every second between the 5-second polls (htmx swaps the code
// block, with a fresh countdown, in place), and a button asks for full screen (a browser needs a tap).
function tick() {
  const box = document.querySelector(".venue-countdown"), shown = box && box.querySelector(".venue-seconds");
  if (!box || !shown) return;
  const left = Math.max(0, Number(box.dataset.seconds) - 1);
  box.dataset.seconds = left;
  const bangla = document.documentElement.lang === "bn";
  shown.textContent = bangla ? String(left).replace(/[0-9]/g, (d) => "০১২৩৪৫৬৭৮৯"[d]) : String(left);
  if (left === 0) document.getElementById("venue-code").dispatchEvent(new Event("refresh")); // new code at once
}
setInterval(tick, 1000);
const full = document.getElementById("venue-fullscreen");
if (full && document.fullscreenEnabled) {
  const update = () => { full.hidden = Boolean(document.fullscreenElement); };
  full.addEventListener("click", () => document.documentElement.requestFullscreen().catch(() => {}));
  document.addEventListener("fullscreenchange", update);
  update();
}
