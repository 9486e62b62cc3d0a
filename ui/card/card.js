// The interview card: one interview in the conversation (MCP Apps, io.modelcontextprotocol/ui).
//
// The host renders this page in a sandboxed iframe and talks to it through the official client (`App`).
// Everything shown comes from tool results: get_interview's (sent by the host), then get_interview_media
// and get_interview_transcript, called through the host like every action (score_interview,
// comment_on_interview, set_interview_status). Candidate-written text only ever reaches the page through
// textContent, never as markup: this page can call tools as the user.

import { App, applyDocumentTheme, applyHostFonts, applyHostStyleVariables } from "@modelcontextprotocol/ext-apps";

const STATUS_LABEL = {
  pending: "Not recorded yet",
  to_evaluate: "To evaluate",
  shortlisted: "Shortlisted",
  discarded: "Discarded",
};
const ACTIONS = [
  ["shortlisted", "Shortlist"],
  ["discarded", "Discard"],
  ["to_evaluate", "Back to evaluation"],
];
const MAX_TRANSCRIPT_PAGES = 50;

const root = document.getElementById("card");
const marks = (window.hireflixCard = { toolResultAt: null, headerPaintedAt: null, answersPaintedAt: null });
let interview = null;
let busy = false;

// ------------------------------------------------------------------------------------------- helpers

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function now() {
  return performance.timeOrigin + performance.now();
}

function afterPaint(callback) {
  requestAnimationFrame(() => requestAnimationFrame(callback));
}

function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function httpUrl(value) {
  try {
    const url = new URL(String(value));
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** A tool result's JSON text block, parsed; throws with the tool's own words on a tool error. */
function resultData(result) {
  const text = (result?.content ?? [])
    .filter((block) => block.type === "text")
    .map((block) => block.text)
    .join("\n");
  if (result?.isError) throw new Error(text || "The tool failed.");
  return JSON.parse(text);
}

async function callTool(name, args) {
  return resultData(await app.callServerTool({ name, arguments: args }));
}

// ------------------------------------------------------------------------------------------- header

const header = {
  name: el("h1"),
  meta: el("p", { class: "meta" }),
  status: el("span", { class: "status" }),
  score: el("select", { "aria-label": "Score" }),
  buttons: new Map(),
  comments: el("ul", { class: "comments" }),
  commentsSummary: el("summary"),
  commentBox: el("textarea", { rows: 2, maxlength: 5000, "aria-label": "Comment", placeholder: "Add a comment for the team" }),
  message: el("p", { class: "message", role: "status", "aria-live": "polite" }),
  share: el("button", { type: "button", text: "Share recording…" }),
  shared: el("p", { class: "shared" }),
};

header.score.append(el("option", { value: "0", text: "No score" }));
for (let half = 1; half <= 10; half++) header.score.append(el("option", { value: String(half / 2), text: `${half / 2} / 5` }));
header.score.addEventListener("change", () => act("score_interview", { score: Number(header.score.value) }));

function renderHeader() {
  const candidate = interview.candidate ?? {};
  header.name.textContent = candidate.name || "Unnamed candidate";
  header.meta.textContent = [interview.position_name, candidate.email].filter(Boolean).join(" · ");
  header.status.textContent = STATUS_LABEL[interview.status] ?? interview.status;
  header.status.dataset.status = interview.status;
  header.score.value = String(interview.score ?? 0);
  for (const [status, button] of header.buttons) {
    const current = interview.status === status;
    button.setAttribute("aria-pressed", String(current));
    button.disabled = current || busy;
  }
  header.score.disabled = busy;
  header.share.disabled = busy;
  header.commentsSummary.textContent = `Comments (${(interview.comments ?? []).length})`;
  header.comments.replaceChildren(
    ...(interview.comments ?? []).map((c) =>
      el("li", {}, el("span", { class: "who", text: c.author || "Team" }), el("span", { text: c.text })),
    ),
  );
}

function buildHeader() {
  const actions = el("div", { class: "actions", role: "group", "aria-label": "Review" });
  for (const [status, label] of ACTIONS) {
    const button = el("button", { type: "button", text: label, onclick: () => act("set_interview_status", { status }) });
    header.buttons.set(status, button);
    actions.append(button);
  }
  header.share.addEventListener("click", share);
  actions.append(header.share);
  const addComment = el("button", {
    type: "button",
    text: "Add comment",
    onclick: () => {
      const comment = header.commentBox.value.trim();
      if (comment) act("comment_on_interview", { comment });
    },
  });
  return el(
    "header",
    {},
    el("div", { class: "title" }, header.name, header.status),
    header.meta,
    el("div", { class: "review" }, el("label", { class: "score" }, el("span", { text: "Score" }), header.score), actions),
    el("details", {}, header.commentsSummary, header.comments, el("div", { class: "add" }, header.commentBox, addComment)),
    header.message,
    header.shared,
  );
}

/** Sharing a recording publicly asks the user exactly as share_interview does: the card calls it without a
 * confirmation token and shows what the tool answered; it never confirms on anyone's behalf. */
function share() {
  return busyWith("Asking…", async () => {
    const result = await callTool("share_interview", { interview_id: interview.interview_id });
    if (result.status === "done" && result.url) {
      header.message.textContent = result.message;
      header.shared.replaceChildren(el("span", { text: "Public link: " }), el("code", { text: result.url }));
    } else if (result.status === "confirmation_required") {
      // The tool's message goes on to tell the model how to confirm; a person here needs only the preview.
      const preview = result.message.split(" Nothing has been changed yet.")[0];
      header.message.textContent = `${preview} Nothing was shared: ask the assistant to share it, and confirm there.`;
    } else {
      header.message.textContent = result.message;
    }
  });
}

/** One review action through the host; the card then shows what the tool answered. */
function act(tool, args) {
  return busyWith("Saving…", async () => {
    const result = await callTool(tool, { interview_id: interview.interview_id, ...args });
    if (tool === "comment_on_interview") {
      interview.comments = [...(interview.comments ?? []), result.comment];
      header.commentBox.value = "";
      header.message.textContent = `Comment added (${result.comment_count} in all).`;
    } else {
      interview.status = result.status;
      interview.score = result.score ?? null;
      header.message.textContent =
        result.message ?? (result.score ? `Score set to ${result.score}.` : "Score cleared.");
    }
  });
}

/** Runs one call through the host at a time: the review controls are disabled and `pending` is shown
 * while it runs; a failure shows the tool's own words. */
async function busyWith(pending, work) {
  if (busy || !interview) return;
  busy = true;
  renderHeader();
  header.message.textContent = pending;
  try {
    await work();
  } catch (error) {
    header.message.textContent = error.message;
  } finally {
    busy = false;
    renderHeader();
  }
}

// ------------------------------------------------------------------------------------------- answers

/** "start-end word" lines (get_interview_transcript's word timings) as sentences with their start. */
function sentences(words) {
  const out = [];
  let current = null;
  for (const line of words.split("\n")) {
    const match = /^(\S+)-(\S+) (.*)$/.exec(line);
    if (!match) continue;
    const start = Number(match[1]);
    const end = Number(match[2]);
    if (!current) current = { start: Number.isFinite(start) ? start : null, end: null, words: [] };
    if (current.start === null && Number.isFinite(start)) current.start = start;
    if (Number.isFinite(end)) current.end = end;
    current.words.push(match[3]);
    if (/[.!?…]["'”’)\]]*$/.test(match[3])) {
      out.push(current);
      current = null;
    }
  }
  if (current) out.push(current);
  return out;
}

function transcriptView(answer, video) {
  const box = el("div", { class: "transcript", tabindex: "-1" });
  if (answer?.words) {
    const spans = sentences(answer.words).map((s) => {
      const seek = () => {
        if (video && s.start !== null) video.currentTime = s.start;
      };
      const span = el("span", {
        class: "s",
        role: "button",
        tabindex: "0",
        "data-start": s.start ?? "",
        title: s.start !== null ? `Play from ${clock(s.start)}` : null,
        text: s.words.join(" "),
        onclick: seek,
        onkeydown: (event) => {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            seek();
          }
        },
      });
      span.sentence = s;
      return span;
    });
    spans.forEach((span, i) => box.append(span, i < spans.length - 1 ? " " : ""));
    if (video) follow(video, box, spans);
  } else if (answer?.text) {
    box.append(el("p", { text: answer.text }));
  } else {
    box.append(el("p", { class: "muted", text: "No transcript." }));
  }
  return box;
}

/** Highlights the sentence being spoken as the video plays (or is moved). */
function follow(video, box, spans) {
  let lit = null;
  const update = () => {
    const t = video.currentTime;
    let found = null;
    for (const span of spans) {
      if (span.sentence.start !== null && span.sentence.start <= t + 0.05) found = span;
    }
    if (found && found.sentence.end !== null && t > found.sentence.end + 1.5) found = null;
    if (found === lit) return;
    lit?.classList.remove("now");
    lit?.removeAttribute("aria-current");
    lit = found;
    if (!lit) return;
    lit.classList.add("now");
    lit.setAttribute("aria-current", "true");
    const top = lit.offsetTop - box.offsetTop;
    if (top < box.scrollTop || top + lit.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    }
  };
  for (const event of ["timeupdate", "seeked", "seeking"]) video.addEventListener(event, update);
}

function answerView(question, media, transcript) {
  const title = `${question.question}. ${question.title || "Question"}`;
  const section = el("section", { class: "qa", "data-question": question.question, "aria-label": title });
  section.append(el("h2", { text: title }));
  const src = httpUrl(media?.video_url);
  let video = null;
  if (src) {
    video = el("video", {
      controls: true,
      preload: "metadata",
      playsinline: true,
      src,
      poster: httpUrl(media.thumbnail_url),
      "aria-label": `Answer to question ${question.question}`,
    });
  }
  const player = el("div", { class: "player" }, video ?? el("p", { class: "muted", text: "No video recorded." }));
  section.append(el("div", { class: "body" }, player, transcriptView(transcript, video)));
  return section;
}

/** Every page of the transcript with word timings, joined per question. */
async function transcripts(id) {
  const byQuestion = new Map();
  let cursor = null;
  for (let page = 0; page < MAX_TRANSCRIPT_PAGES; page++) {
    const args = { interview_id: id, include_word_timings: true };
    if (cursor) args.cursor = cursor;
    const result = await callTool("get_interview_transcript", args);
    for (const part of result.answers ?? []) {
      const seen = byQuestion.get(part.question) ?? { text: "", words: "" };
      if (part.text) seen.text += part.text;
      if (part.words) seen.words += (seen.words && !seen.words.endsWith("\n") ? "\n" : "") + part.words;
      byQuestion.set(part.question, seen);
    }
    cursor = result.next_cursor;
    if (!cursor) break;
  }
  return byQuestion;
}

async function renderAnswers(list) {
  const id = interview.interview_id;
  const [media, words] = await Promise.allSettled([callTool("get_interview_media", { interview_id: id }), transcripts(id)]);
  const byQuestion = new Map((media.value?.answers ?? []).map((a) => [a.question, a]));
  const texts = words.value ?? new Map();
  const problems = [media, words].filter((r) => r.status === "rejected").map((r) => r.reason.message);
  list.replaceChildren(
    ...(problems.length ? [el("p", { class: "message", text: problems.join(" ") })] : []),
    ...(interview.questions ?? []).map((q) => answerView(q, byQuestion.get(q.question), texts.get(q.question))),
  );
  list.removeAttribute("aria-busy");
}

// ------------------------------------------------------------------------------------------- host

function showResult(result) {
  marks.toolResultAt = now();
  try {
    interview = resultData(result);
  } catch (error) {
    root.replaceChildren(el("p", { class: "message", text: error.message }));
    return;
  }
  const list = el("div", { class: "answers", "aria-busy": "true" }, el("p", { class: "muted", text: "Loading answers…" }));
  root.replaceChildren(buildHeader(), list);
  renderHeader();
  afterPaint(() => (marks.headerPaintedAt = now()));
  renderAnswers(list).then(() =>
    afterPaint(() => {
      marks.answersPaintedAt = now();
      root.dataset.state = "ready";
    }),
  );
}

function applyContext(context) {
  if (!context) return;
  if (context.theme) applyDocumentTheme(context.theme);
  if (context.styles?.variables) applyHostStyleVariables(context.styles.variables);
  if (context.styles?.css?.fonts) applyHostFonts(context.styles.css.fonts);
}

const app = new App({ name: "Hireflix interview card", version: "1.0.0" }, {}, { autoResize: true });
app.ontoolresult = showResult;
app.onhostcontextchanged = applyContext;
app.connect().then(() => applyContext(app.getHostContext()));
