#include "html_style.hpp"

namespace polylogue::app {
namespace {

constexpr std::string_view style = R"css(:root {
  --bg: #f5f6f8; --card: #ffffff; --fg: #1d2127; --muted: #646c76; --line: #dde1e6;
  --code-bg: #f1f3f6; --link: #1d5fd1; --ok: #1a7f37; --bad: #c0262d; --warn: #a15c07;
  --c1: #2563eb; --c2: #c2410c; --c3: #7c3aed; --c4: #0f766e; --c5: #be185d;
  --c6: #15803d; --c7: #a16207; --c8: #0369a1; --human: #4b5563;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1216; --card: #171b21; --fg: #e4e7eb; --muted: #98a1ac; --line: #2a3039;
    --code-bg: #10141a; --link: #7aa7ff; --ok: #4ac26b; --bad: #ff6b6b; --warn: #e3a23b;
    --c1: #6ea8fe; --c2: #fb8c4b; --c3: #b197fc; --c4: #3dd6c0; --c5: #f472b6;
    --c6: #5fd38a; --c7: #f2c744; --c8: #4cc3f5; --human: #c3cad3;
  }
}
.s1 { --c: var(--c1); } .s2 { --c: var(--c2); } .s3 { --c: var(--c3); } .s4 { --c: var(--c4); }
.s5 { --c: var(--c5); } .s6 { --c: var(--c6); } .s7 { --c: var(--c7); } .s8 { --c: var(--c8); }
.human { --c: var(--human); } .room { --c: var(--muted); }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg); font-size: 16px; line-height: 1.55;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue",
    Arial, sans-serif;
}
a { color: var(--link); }
.room-head, .chat, .page-foot { max-width: 900px; margin: 0 auto; padding: 0 24px; }
.room-head { padding-top: 36px; }
.eyebrow {
  margin: 0; color: var(--muted); font-size: .74rem; font-weight: 600; letter-spacing: .1em;
  text-transform: uppercase;
}
h1 { margin: 2px 0 10px; font-size: 2.1rem; line-height: 1.2; overflow-wrap: anywhere; }
.status {
  display: inline-block; margin: 0 0 18px; padding: 4px 14px; border: 1px solid var(--line);
  border-radius: 999px; background: var(--card); font-size: .9rem;
}
.status .icon { margin-right: 4px; color: var(--muted); }
.status.open .icon { color: var(--ok); }
.facts {
  display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 8px;
  margin: 0 0 16px;
}
.facts div { padding: 8px 12px; border: 1px solid var(--line); border-radius: 10px; background: var(--card); }
.facts dt, .members th {
  color: var(--muted); font-size: .7rem; font-weight: 600; letter-spacing: .07em;
  text-transform: uppercase;
}
.facts .wide { grid-column: span 2; }
.facts dd { margin: 2px 0 0; font-weight: 600; font-variant-numeric: tabular-nums; }
.members {
  width: 100%; border: 1px solid var(--line); border-radius: 10px; border-collapse: separate;
  border-spacing: 0; background: var(--card); font-size: .92rem; overflow: hidden;
}
.members th, .members td { padding: 7px 12px; border-bottom: 1px solid var(--line); text-align: left; }
.members tr:last-child td { border-bottom: 0; }
.members td:first-child { white-space: nowrap; }
.members .model { color: var(--c); font-weight: 650; }
.avatar {
  display: inline-flex; flex: none; align-items: center; justify-content: center;
  width: 1.7em; height: 1.7em; margin-right: .55em; border-radius: 50%; background: var(--c);
  color: var(--bg); font-size: .8rem; font-weight: 700; vertical-align: middle;
}
.chat { padding-top: 8px; padding-bottom: 16px; }
.day {
  display: flex; align-items: center; gap: 12px; margin: 22px 0 10px; color: var(--muted);
  font-size: .78rem; font-weight: 600; letter-spacing: .05em;
}
.day::before, .day::after { content: ""; flex: 1; border-top: 1px solid var(--line); }
.msg { display: flex; align-items: flex-start; gap: 12px; margin: 16px 0; }
.msg > .avatar { width: 36px; height: 36px; margin: 2px 0 0; font-size: 1rem; }
.bubble {
  flex: 1; min-width: 0; padding: 10px 16px 12px; border: 1px solid var(--line);
  border-left: 4px solid var(--c); border-radius: 4px 14px 14px 14px; background: var(--card);
  background: color-mix(in srgb, var(--c) 5%, var(--card));
}
.bubble > header { display: flex; align-items: baseline; justify-content: space-between; gap: 12px; margin-bottom: 4px; }
.who { color: var(--c); font-weight: 700; }
.time {
  margin-left: auto; color: var(--muted); font-size: .76rem; font-variant-numeric: tabular-nums;
  text-decoration: none; white-space: nowrap;
}
.time:hover { text-decoration: underline; }
.text { overflow-wrap: anywhere; }
.text p { margin: .5em 0; }
.text > :first-child { margin-top: 0; }
.text > :last-child { margin-bottom: 0; }
code { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .88em; }
:not(pre) > code { padding: .1em .35em; border-radius: 5px; background: var(--code-bg); border: 1px solid var(--line); }
pre {
  position: relative; margin: .6em 0; padding: 12px 14px; border: 1px solid var(--line);
  border-radius: 8px; background: var(--code-bg); font-size: .9rem; line-height: 1.45;
  overflow-x: auto; overflow-wrap: normal;
}
pre[data-lang]::before {
  content: attr(data-lang); position: absolute; top: 4px; right: 10px; color: var(--muted);
  font-family: inherit; font-size: .68rem; text-transform: uppercase; letter-spacing: .06em;
}
blockquote { margin: .6em 0; padding: 2px 0 2px 14px; border-left: 3px solid var(--c); color: var(--muted); }
.more { position: absolute; opacity: 0; pointer-events: none; }
.more:not(:checked) ~ .text.long {
  max-height: 16em; overflow: hidden;
  -webkit-mask-image: linear-gradient(#000 65%, transparent); mask-image: linear-gradient(#000 65%, transparent);
}
.more:checked ~ .more-label { display: none; }
.more-label {
  display: inline-block; margin-top: 6px; color: var(--link); font-size: .86rem; font-weight: 600;
  cursor: pointer;
}
.more-label::before { content: "▾ "; }
.more:focus-visible ~ .more-label { outline: 2px solid var(--link); outline-offset: 2px; }
.reasoning { margin: 2px 0 8px; color: var(--muted); font-size: .9rem; }
.reasoning summary { cursor: pointer; font-weight: 600; }
.reasoning > .text { margin-top: 6px; padding-left: 12px; border-left: 2px dashed var(--line); }
.usage { margin-top: 8px; color: var(--muted); font-size: .74rem; font-variant-numeric: tabular-nums; }
.event, figure.image, .search { margin: 8px 0 8px 48px; }
.event {
  display: flex; align-items: baseline; gap: 8px; width: fit-content; max-width: calc(100% - 48px);
  padding: 4px 12px; border: 1px solid var(--line); border-radius: 10px; background: var(--card);
  color: var(--muted); font-size: .86rem;
}
.event .icon, .search-head .icon, figcaption .icon { flex: none; }
.event .line { min-width: 0; overflow-wrap: anywhere; }
.ev-join { border-color: color-mix(in srgb, var(--c) 45%, var(--line)); color: var(--fg); }
.ev-join .icon { color: var(--c); }
.st-ok { color: var(--fg); }
.st-rejected, .st-failed, .ev-turn_failed, .ev-member_suspended {
  border-color: color-mix(in srgb, var(--bad) 40%, var(--line)); color: var(--bad);
}
.st-unavailable { border-color: color-mix(in srgb, var(--warn) 40%, var(--line)); color: var(--warn); }
.ev-room_ended {
  margin: 28px auto 8px; padding: 8px 18px; border-color: var(--fg); color: var(--fg); font-weight: 600;
}
figure.image { max-width: 560px; border: 1px solid var(--line); border-radius: 12px; background: var(--card); overflow: hidden; }
figure.image img { display: block; width: 100%; height: auto; }
figcaption { display: flex; align-items: baseline; gap: 8px; padding: 8px 12px; color: var(--muted); font-size: .86rem; }
figcaption q { color: var(--fg); }
.missing {
  display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 4px;
  min-height: 150px; padding: 18px; color: var(--muted); text-align: center;
  background: repeating-linear-gradient(45deg, var(--code-bg) 0 12px, var(--card) 12px 24px);
}
.missing .icon { font-size: 1.8rem; }
.search { padding: 8px 14px; border: 1px solid var(--line); border-radius: 10px; background: var(--card); font-size: .88rem; }
.search-head { display: flex; align-items: baseline; gap: 8px; color: var(--muted); }
.search ol { margin: 6px 0 2px; padding-left: 1.5em; }
.search li { margin: 5px 0; }
.search .url { color: var(--muted); font-size: .8em; overflow-wrap: anywhere; }
.search li p { margin: 2px 0 0; color: var(--muted); }
.empty { color: var(--muted); text-align: center; }
.page-foot { padding-top: 12px; padding-bottom: 40px; color: var(--muted); font-size: .78rem; text-align: center; }
@media (max-width: 640px) {
  .room-head, .chat, .page-foot { padding-left: 12px; padding-right: 12px; }
  h1 { font-size: 1.6rem; }
  .msg > .avatar { display: none; }
  .event, figure.image, .search { margin-left: 0; max-width: 100%; }
  .facts .wide { grid-column: auto; }
  .members th:nth-child(4), .members td:nth-child(4), .members th:nth-child(5), .members td:nth-child(5) { display: none; }
}
@media print {
  body { background: #fff; }
  .bubble, .event, .search, figure.image { break-inside: avoid; }
  .more ~ .text.long { max-height: none !important; -webkit-mask-image: none !important; mask-image: none !important; }
  .more-label { display: none; }
}
)css";

}  // namespace

std::string_view html_export_style() noexcept {
    return style;
}

}  // namespace polylogue::app
