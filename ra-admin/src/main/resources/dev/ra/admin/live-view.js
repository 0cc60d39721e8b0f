// The live view of a node's clusters: polls /status every POLL_MS and draws every cluster with a member here.
// Plain DOM and canvas; nothing is fetched but this node's /status. Stable hooks for tests and scripts:
//   section[data-cluster=NAME] per cluster, with data-leader (member id or "") and data-term;
//   tr[data-member=ID][data-role=ROLE] per member; #updated[data-time] is the time of the last status shown;
//   #unavailable[data-peers] lists the admin peers whose last request failed (comma-separated node ids, sorted);
//   #not-restarted[data-servers] the servers stored here whose restart failed (comma-separated server ids, sorted),
//   li[data-server=ID] each, with the reason as text.
// Names and reasons come from the node and may hold any character: they are set as text, never parsed as HTML.
"use strict";

const POLL_MS = 500;
const HISTORY_MS = 5 * 60 * 1000;
const ELECTION_BUCKET_MS = 10 * 1000;
const history = new Map();
const token = new URLSearchParams(location.hash.slice(1)).get("token");

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "text") {
      node.textContent = value;
    } else {
      node.setAttribute(key, value);
    }
  }
  for (const child of children) {
    node.append(child);
  }
  return node;
}

function setConnection(state, text) {
  const badge = document.getElementById("connection");
  badge.dataset.state = state;
  badge.textContent = text;
}

async function poll() {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 2000);
  try {
    const headers = token ? { Authorization: "Bearer " + token } : {};
    // Relative to the page, so that it works behind a reverse proxy that serves it under a path.
    const response = await fetch("status", { headers, signal: abort.signal, cache: "no-store" });
    if (response.status === 401) {
      setConnection("error", "unauthorized: open this page with #token=<the admin token> at the end of its address");
    } else if (!response.ok) {
      setConnection("error", "status answered " + response.status);
    } else {
      render(await response.json());
      setConnection("live", "live");
    }
  } catch (failure) {
    setConnection("error", "no answer from the node");
  } finally {
    clearTimeout(timer);
    setTimeout(poll, POLL_MS);
  }
}

function render(status) {
  const node = document.getElementById("node");
  node.dataset.node = status.node;
  node.textContent = "on node " + status.node;
  const main = document.getElementById("clusters");
  const seen = new Set();
  for (const cluster of status.clusters) {
    seen.add(cluster.name);
    remember(cluster, status.timeMillis);
    let section = main.querySelector(`section[data-cluster="${CSS.escape(cluster.name)}"]`);
    if (!section) {
      section = createSection(cluster.name);
      main.append(section);
    }
    updateSection(section, cluster);
  }
  for (const section of main.querySelectorAll("section[data-cluster]")) {
    if (!seen.has(section.dataset.cluster)) {
      section.remove();
      history.delete(section.dataset.cluster);
    }
  }
  renderUnavailablePeers(status.unavailablePeers || {});
  renderFailedRestarts(status.failedRestarts || {});
  const updated = document.getElementById("updated");
  updated.dataset.time = String(status.timeMillis);
  updated.textContent = new Date(status.timeMillis).toLocaleTimeString();
}

function renderUnavailablePeers(peers) {
  const nodes = Object.keys(peers).sort();
  const list = document.getElementById("unavailable");
  list.dataset.peers = nodes.join(",");
  list.replaceChildren(...nodes.map(node =>
    el("li", { "data-peer": node }, el("strong", { text: node }), el("span", { text: ": " + peers[node] }))));
  document.getElementById("unavailable-peers").hidden = nodes.length === 0;
}

function renderFailedRestarts(failed) {
  const servers = Object.keys(failed).sort();
  const list = document.getElementById("not-restarted");
  list.dataset.servers = servers.join(",");
  list.replaceChildren(...servers.map(server =>
    el("li", { "data-server": server }, el("strong", { text: server }), el("span", { text: ": " + failed[server] }))));
  document.getElementById("failed-restarts").hidden = servers.length === 0;
}

function remember(cluster, time) {
  let samples = history.get(cluster.name);
  if (!samples) {
    samples = [];
    history.set(cluster.name, samples);
  }
  samples.push({ time, term: cluster.term, commit: cluster.commitIndex });
  while (samples.length > 0 && samples[0].time < time - HISTORY_MS) {
    samples.shift();
  }
}

function createSection(name) {
  const facts = el("span", { class: "facts" });
  const body = el("tbody");
  const table = el("table", {},
    el("thead", {}, el("tr", {}, ...["member", "role", "term", "leader", "commit", "applied", "progress"]
      .map(text => el("th", { text })))),
    body);
  const elections = el("canvas", { width: "300", height: "70", "data-chart": "elections" });
  const rate = el("canvas", { width: "300", height: "70", "data-chart": "commit-rate" });
  return el("section", { class: "cluster", "data-cluster": name },
    el("h2", {}, el("span", { text: name }), facts),
    table,
    el("div", { class: "charts" },
      el("figure", { class: "chart" }, el("figcaption", { text: "elections (term changes per 10 s, last 5 min)" }),
        elections),
      el("figure", { class: "chart" }, el("figcaption", { text: "commit rate (entries/s, last 5 min)" }), rate)));
}

function updateSection(section, cluster) {
  section.dataset.leader = cluster.leader || "";
  section.dataset.term = String(cluster.term);
  section.querySelector(".facts").textContent =
    `term ${cluster.term} \u00b7 leader ${cluster.leader || "none"} \u00b7 commit ${cluster.commitIndex}`;
  const highest = Math.max(1, ...cluster.members.map(m => m.commitIndex || 0));
  const rows = cluster.members.map(member => memberRow(member, highest));
  section.querySelector("tbody").replaceChildren(...rows);
  const samples = history.get(cluster.name) || [];
  drawBars(section.querySelector('canvas[data-chart="elections"]'), electionBuckets(samples), "#c0392b");
  drawLine(section.querySelector('canvas[data-chart="commit-rate"]'), commitRates(samples), "#3b82c4");
}

function memberRow(member, highest) {
  const known = member.lastApplied !== null && member.lastApplied !== undefined;
  const progress = el("td");
  if (known) {
    const lag = highest - member.lastApplied;
    const bar = el("div", { class: lag > 0 ? "bar lagging" : "bar", "data-lag": String(lag) });
    const fill = el("div");
    fill.style.width = Math.max(0, Math.min(100, 100 * member.lastApplied / highest)).toFixed(1) + "%";
    bar.append(fill);
    progress.append(bar, el("span", { class: "lag", text: lag > 0 ? `\u2212${lag}` : "\u2713" }));
  } else {
    progress.append(el("span", { class: "source", text: member.up ? "not visible from this node" : "" }));
  }
  const source = member.source === "local" ? "here" : member.source;
  // A member whose storage lost entries (recovering) or its term and vote counts towards no quorum for now.
  const damaged = member.storage && member.storage !== "whole" ?
    [el("span", { class: "storage", text: " " + member.storage.replace(/_/g, " ") })] : [];
  return el("tr", { "data-member": member.id, "data-role": member.role, "data-source": member.source },
    el("td", {}, el("span", { text: member.id + " " }), el("span", { class: "source", text: source }), ...damaged),
    el("td", {}, el("span", { class: "role", text: member.role })),
    el("td", { class: "num", text: value(member.term) }),
    el("td", { text: member.leader || "" }),
    el("td", { class: "num", text: value(member.commitIndex) }),
    el("td", { class: "num", text: value(member.lastApplied) }),
    progress);
}

function value(number) {
  return number === null || number === undefined ? "\u2013" : String(number);
}

function electionBuckets(samples) {
  const buckets = new Array(HISTORY_MS / ELECTION_BUCKET_MS).fill(0);
  if (samples.length < 2) {
    return buckets;
  }
  const end = samples[samples.length - 1].time;
  for (let i = 1; i < samples.length; i++) {
    const increase = samples[i].term - samples[i - 1].term;
    if (increase > 0) {
      const age = end - samples[i].time;
      const index = buckets.length - 1 - Math.floor(age / ELECTION_BUCKET_MS);
      if (index >= 0) {
        buckets[index] += increase;
      }
    }
  }
  return buckets;
}

function commitRates(samples) {
  const points = [];
  for (let i = 1; i < samples.length; i++) {
    const seconds = (samples[i].time - samples[i - 1].time) / 1000;
    if (seconds > 0) {
      points.push({ time: samples[i].time, rate: Math.max(0, samples[i].commit - samples[i - 1].commit) / seconds });
    }
  }
  return points;
}

// Draw at the canvas's displayed size, so that lines and labels stay sharp.
function context(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { g, width: width / ratio, height: height / ratio };
}

function drawBars(canvas, buckets, color) {
  const { g, width: w, height: h } = context(canvas);
  g.clearRect(0, 0, w, h);
  const top = Math.max(1, ...buckets);
  const width = w / buckets.length;
  g.fillStyle = color;
  buckets.forEach((count, i) => {
    const height = (h - 14) * count / top;
    g.fillRect(i * width + 1, h - height, Math.max(1, width - 2), height);
  });
  const total = buckets.reduce((a, b) => a + b, 0);
  label(g, total + " in 5 min, at most " + top + " per 10 s");
}

function drawLine(canvas, points, color) {
  const { g, width: w, height: h } = context(canvas);
  g.clearRect(0, 0, w, h);
  if (points.length === 0) {
    label(g, "no data yet");
    return;
  }
  const end = points[points.length - 1].time;
  const top = Math.max(1, ...points.map(p => p.rate));
  g.strokeStyle = color;
  g.lineWidth = 1.5;
  g.beginPath();
  points.forEach((p, i) => {
    const x = w * (1 - (end - p.time) / HISTORY_MS);
    const y = h - (h - 14) * p.rate / top;
    if (i === 0) {
      g.moveTo(x, y);
    } else {
      g.lineTo(x, y);
    }
  });
  g.stroke();
  label(g, "max " + top.toFixed(top < 10 ? 1 : 0) + "/s, now " + points[points.length - 1].rate.toFixed(1) + "/s");
}

function label(g, text) {
  g.fillStyle = "#5b6470";
  g.font = "11px sans-serif";
  g.fillText(text, 4, 11);
}

poll();
