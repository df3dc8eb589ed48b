// The page of `pasdeux serve`: choose a song and options, start a job, follow its stages,
// watch the result and download it. Talks to the app's JSON API only (no network beyond it).

const STAGE_LABELS = { listen: "Listen", choreograph: "Choreograph", move: "Move", write: "Write" };
const POLL_MS = 800; // while a job is queued or running
const IDLE_POLL_MS = 4000;

const form = document.getElementById("new-job");
const fileInput = document.getElementById("song");
const drop = document.getElementById("drop");
const dropText = document.getElementById("drop-text");
const startButton = document.getElementById("start");
const errorLine = document.getElementById("error");
const jobsBox = document.getElementById("jobs");
let config = null;
let chosen = null;

function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

function showError(message) {
  errorLine.textContent = message || "";
  errorLine.hidden = !message;
}

function choose(file) {
  chosen = file || null;
  showError("");
  dropText.textContent = chosen ? `${chosen.name} (${megabytes(chosen.size)})` : "Drop a song here, or click to choose one";
  startButton.disabled = !chosen;
  if (chosen && config && chosen.size > config.max_upload_bytes) {
    showError(`${chosen.name}: the song is larger than the limit of ${megabytes(config.max_upload_bytes)}`);
    startButton.disabled = true;
  }
}

function fillSelect(select, values, selected) {
  for (const value of values) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = value;
    option.selected = value === selected;
    select.append(option);
  }
}

async function loadConfig() {
  const response = await fetch("/api/config");
  config = await response.json();
  fillSelect(document.getElementById("style"), config.dances, "auto");
  fillSelect(document.getElementById("level"), config.levels, "newcomer");
  for (const name of ["floor_w_m", "floor_d_m"]) {
    form.elements[name].min = config.floor_range_m[0];
    form.elements[name].max = config.floor_range_m[1];
  }
  for (const name of ["leader_height_m", "follower_height_m"]) {
    form.elements[name].min = config.height_range_m[0];
    form.elements[name].max = config.height_range_m[1];
  }
  form.elements.seed.max = config.seed_max;
  document.getElementById("drop-limit").textContent =
    `WAV, FLAC, OGG, Opus, MP3, M4A, WebM... up to ${megabytes(config.max_upload_bytes)}`;
}

async function submit(event) {
  event.preventDefault();
  if (!chosen) return;
  showError("");
  startButton.disabled = true;
  const data = new FormData();
  for (const name of ["style", "level", "floor_w_m", "floor_d_m", "leader_height_m", "follower_height_m", "seed"]) {
    data.append(name, form.elements[name].value);
  }
  data.append("song", chosen, chosen.name);
  try {
    const response = await fetch("/api/jobs", { method: "POST", body: data, headers: { "X-Pasdeux": "1" } });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      showError(answer.error || `the app refused the song (HTTP ${response.status})`);
    } else {
      choose(null);
      fileInput.value = "";
      await refresh();
    }
  } catch (err) {
    showError(`the upload failed (${err.message}); is the app still running?`);
  } finally {
    startButton.disabled = !chosen;
  }
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function optionsLine(options) {
  const heights = options.heights_m ? `, heights ${options.heights_m.join(" / ")} m` : "";
  return `${options.style}, ${options.level}, floor ${options.floor_m.join(" × ")} m, seed ${options.seed}${heights}`;
}

function jobCard(job) {
  const card = element("article", "job");
  card.dataset.id = job.id;
  const title = element("h2");
  title.append(element("span", "", job.song), element("span", `state ${job.state}`, job.state));
  const seconds = job.seconds ?? job.elapsed_s;
  if (seconds !== null && seconds !== undefined) title.append(element("span", "line", `${seconds.toFixed(1)} s`));
  card.append(title, element("div", "opts", optionsLine(job.options)));
  const stages = element("ol", "stages");
  for (const stage of job.stages) {
    const item = element("li", stage.state, STAGE_LABELS[stage.name] || stage.name);
    item.append(element("span", "", stage.message || "\u00a0"));
    item.title = stage.message;
    stages.append(item);
  }
  card.append(stages);
  for (const warning of job.warnings) card.append(element("div", "line", warning));
  if (job.error) card.append(element("p", "error", job.error));
  if (job.state === "done") {
    if (job.summary) card.append(element("div", "line", job.summary));
    const actions = element("div", "actions");
    const watch = element("a", "", "Watch");
    watch.href = job.result_url;
    watch.addEventListener("click", (event) => { event.preventDefault(); watchJob(job); });
    const zip = element("a", "", "Download the folder (zip)");
    zip.href = job.zip_url;
    zip.setAttribute("download", "");
    const lead = element("a", "", "Lead it live");
    lead.href = `/live?job=${job.id}`;
    lead.title = "You lead: pick the leader's figures as the song plays; she reads him";
    actions.append(watch, zip, lead);
    card.append(actions);
  }
  if (job.state === "done" || job.state === "failed") {
    const remove = element("button", "remove", "Remove");
    remove.type = "button";
    remove.title = "remove the job and its folder";
    remove.addEventListener("click", () => removeJob(job));
    card.append(remove);
  }
  return card;
}

async function removeJob(job) {
  const response = await fetch(`/api/jobs/${job.id}`, { method: "DELETE", headers: { "X-Pasdeux": "1" } });
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    showError(answer.error || `the job could not be removed (HTTP ${response.status})`);
  }
  if (document.getElementById("viewer-frame").src.includes(job.id)) {
    document.getElementById("viewer-close").click();
  }
  await refresh();
}

function watchJob(job) {
  const viewer = document.getElementById("viewer");
  document.getElementById("viewer-title").textContent = job.song;
  document.getElementById("viewer-open").href = job.result_url;
  document.getElementById("viewer-frame").src = job.result_url;
  viewer.hidden = false;
  viewer.scrollIntoView({ behavior: "smooth" });
}

let timer = null;
async function refresh() {
  clearTimeout(timer);
  try {
    const response = await fetch("/api/jobs");
    const { jobs } = await response.json();
    jobsBox.replaceChildren(...jobs.map(jobCard));
    const busy = jobs.some((job) => job.state === "queued" || job.state === "running");
    timer = setTimeout(refresh, busy ? POLL_MS : IDLE_POLL_MS);
  } catch {
    timer = setTimeout(refresh, IDLE_POLL_MS); // the app is restarting or gone: try again
  }
}

drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  choose(event.dataTransfer.files[0]);
});
drop.addEventListener("keydown", (event) => {
  if (event.key === "Enter" || event.key === " ") { event.preventDefault(); fileInput.click(); }
});
fileInput.addEventListener("change", () => choose(fileInput.files[0]));
form.addEventListener("submit", submit);
document.getElementById("viewer-close").addEventListener("click", () => {
  document.getElementById("viewer").hidden = true;
  document.getElementById("viewer-frame").src = "about:blank";
});

loadConfig().then(refresh, (err) => showError(`cannot reach the app (${err.message})`));
