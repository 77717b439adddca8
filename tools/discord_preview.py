"""Vendored from the workplace tool ``tools/discord-preview/render.py`` (shared with this project,
not a third-party package): renders recorded Discord message payloads as a Discord-like page and
screenshots it with headless Chromium. Used by ``make screenshots`` only (not part of the bot).


    python3 render.py DIR [PER_PAGE]   reads DIR/scenes.json, writes DIR/page-N.html and DIR/page-N.png

scenes.json: {"names": {"<id>": "display name", ...},          # for <@id>, <@&id>, <#id> mentions (optional)
              "scenes": [{"kind": "interaction"|"channel"|"note", "title": "...", "who": "alice" (optional),
                          "messages": [{"data": <message JSON as Discord stores it>,
                                        "files": {"<attachment filename>": "<path relative to DIR>"},
                                        "ephemeral": false, "edits": 0}],
                          "modal": <modal JSON> (optional), "text": "..." (for notes)}]}
A bare list of message JSON objects is accepted too (one scene). Needs `chromium` (apt-get install chromium).

Markdown: bold, italics, underline, strike, inline code, code blocks, quotes, headings, subtext, lists,
masked links, escapes, <t:...> timestamps, user/role/channel mentions. Embeds: colour bar, author, title,
description, fields (inline ones three to a row), image/thumbnail (attachment://), footer, timestamp.
Components: buttons and selects; components v2 text displays. Attachments: images inline.
"""
from __future__ import annotations

import datetime as dt, html, json, os, re, subprocess, sys

CSS = """
body{background:#313338;color:#dbdee1;font-family:'Noto Sans','gg sans',Helvetica,Arial,sans-serif;font-size:15px;
 margin:0;padding:16px 24px;width:960px}
.scene{margin:0 0 26px 0}.scene-title{color:#949ba4;font-size:12px;text-transform:uppercase;letter-spacing:.04em;
 border-bottom:1px solid #3f4147;padding-bottom:4px;margin-bottom:8px}
.cmd{color:#949ba4;font-size:13px;margin:2px 0 4px 56px}.cmd b{color:#c9cdfb}
.msg{display:flex;margin:6px 0}.avatar{width:40px;height:40px;border-radius:50%;background:#5865f2;margin-right:16px;
 flex:none;display:flex;align-items:center;justify-content:center;color:#fff;font-weight:700}
.body{min-width:0;flex:1}.head{font-weight:600;color:#f2f3f5}.head .tag{background:#5865f2;color:#fff;font-size:10px;
 border-radius:3px;padding:1px 4px;margin-left:4px;vertical-align:2px}.head .time{color:#949ba4;font-size:12px;font-weight:400;margin-left:6px}
.content{white-space:pre-wrap;line-height:1.375;word-wrap:break-word}
.eph{color:#949ba4;font-size:12px;margin-top:2px}.eph:before{content:'\\1F441  Only you can see this'}
.embed{display:grid;max-width:520px;background:#2b2d31;border-left:4px solid #1e1f22;border-radius:4px;
 padding:8px 16px 16px 12px;margin-top:4px;position:relative}
.embed .thumb{position:absolute;right:16px;top:12px;max-width:80px;max-height:80px;border-radius:4px}
.e-author{font-size:14px;font-weight:600;margin-top:8px;color:#f2f3f5}.e-title{font-weight:700;color:#f2f3f5;margin-top:8px;font-size:16px}
.e-desc{font-size:14px;margin-top:8px;white-space:pre-wrap;line-height:1.3}
.e-fields{display:grid;grid-template-columns:repeat(12,1fr);gap:8px;margin-top:8px}
.e-field{font-size:14px;line-height:1.3}.e-field .n{font-weight:600;color:#f2f3f5;margin-bottom:2px}.e-field .v{white-space:pre-wrap}
.e-img{margin-top:16px;max-width:100%;border-radius:4px}.e-foot{font-size:12px;color:#b5bac1;margin-top:8px}
.att{max-width:520px;border-radius:6px;margin-top:6px;display:block}
.row{display:flex;gap:8px;margin-top:8px;flex-wrap:wrap}.btn{border-radius:3px;padding:2px 16px;height:32px;line-height:32px;
 font-size:14px;font-weight:500;color:#fff}.s1{background:#5865f2}.s2{background:#4e5058}.s3{background:#248046}.s4{background:#da373c}
.s5{background:#4e5058}.dis{opacity:.5}.select{background:#1e1f22;border-radius:4px;padding:8px;width:400px;color:#949ba4}
code{background:#2b2d31;border-radius:3px;padding:0 3px;font-family:'Noto Sans Mono',Consolas,monospace;font-size:85%}
.embed code{background:#1e1f22}pre{background:#2b2d31;border:1px solid #1e1f22;border-radius:4px;padding:7px;margin:4px 0;
 white-space:pre-wrap;font-family:'Noto Sans Mono',Consolas,monospace;font-size:13px}
.ment{background:rgba(88,101,242,.3);color:#c9cdfb;border-radius:3px;padding:0 2px}.ts{background:#3f4147;border-radius:3px;padding:0 2px}
a{color:#00a8fc;text-decoration:none}blockquote{border-left:4px solid #4e5058;margin:0;padding-left:10px}
.sub{font-size:12px;color:#949ba4}h1{font-size:22px;margin:4px 0}h2{font-size:19px;margin:4px 0}h3{font-size:16px;margin:4px 0}
.modal{background:#313338;border:1px solid #1e1f22;box-shadow:0 0 0 1px #111 inset;border-radius:8px;padding:16px;width:420px;margin:6px 0 6px 56px}
.modal .t{font-weight:700;font-size:18px;color:#f2f3f5;margin-bottom:10px}.modal .lab{font-size:12px;font-weight:700;text-transform:uppercase;color:#b5bac1}
.modal .inp{background:#1e1f22;border-radius:3px;padding:10px;color:#6d6f78;margin:6px 0 12px 0}
.note{color:#f0b232;font-size:13px;margin-left:56px}
"""


class Names:
    def __init__(self, names: dict):
        self.n = names

    def user(self, i): return "@" + self.n.get(i, i[-4:])
    def role(self, i): return "@" + self.n.get(i, "role")
    def chan(self, i): return "#" + self.n.get(i, "channel")


def ts(m: re.Match) -> str:
    t = dt.datetime.fromtimestamp(int(m.group(1)), dt.timezone.utc)
    style = m.group(2) or "f"
    now = dt.datetime.now(dt.timezone.utc)
    if style == "R":
        d = (now - t).total_seconds()
        a = abs(d)
        txt = ("a few seconds" if a < 45 else f"{int(a // 60)} minutes" if a < 3600 else f"{int(a // 3600)} hours"
               if a < 86400 else f"{int(a // 86400)} days")
        s = f"{txt} ago" if d >= 0 else f"in {txt}"
    elif style == "T":
        s = t.strftime("%H:%M:%S")
    elif style == "t":
        s = t.strftime("%H:%M")
    elif style in ("d",):
        s = t.strftime("%d/%m/%Y")
    elif style == "D":
        s = t.strftime("%d %B %Y")
    elif style == "F":
        s = t.strftime("%A, %d %B %Y %H:%M")
    else:
        s = t.strftime("%d %B %Y %H:%M")
    return f'<span class="ts">{s}</span>'


def md(text: str, names: Names) -> str:
    if not text:
        return ""
    blocks = []

    def keep(h: str) -> str:
        blocks.append(h)
        return f"\x00{len(blocks) - 1}\x00"

    text = re.sub(r"```(?:\w+\n)?(.*?)```", lambda m: keep(f"<pre>{html.escape(m.group(1))}</pre>"), text, flags=re.S)
    text = re.sub(r"`([^`\n]+)`", lambda m: keep(f"<code>{html.escape(m.group(1))}</code>"), text)
    text = re.sub(r"\\([\\*_~`|>#\-\[\]()<@:])", lambda m: keep(html.escape(m.group(1))), text)
    text = re.sub(r"<t:(-?\d+)(?::([tTdDfFR]))?>", lambda m: keep(ts(m)), text)
    text = re.sub(r"<@!?(\d+)>", lambda m: keep(f'<span class="ment">{html.escape(names.user(m.group(1)))}</span>'), text)
    text = re.sub(r"<@&(\d+)>", lambda m: keep(f'<span class="ment">{html.escape(names.role(m.group(1)))}</span>'), text)
    text = re.sub(r"<#(\d+)>", lambda m: keep(f'<span class="ment">{html.escape(names.chan(m.group(1)))}</span>'), text)
    text = re.sub(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)", lambda m: keep(f'<a>{html.escape(m.group(1))}</a>'), text)
    text = re.sub(r"@(everyone|here)", lambda m: keep(f'<span class="ment">@{m.group(1)}</span>'), text)
    h = html.escape(text, quote=False)
    h = re.sub(r"\*\*\*(.+?)\*\*\*", r"<b><i>\1</i></b>", h)
    h = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", h)
    h = re.sub(r"__(.+?)__", r"<u>\1</u>", h)
    h = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)", r"<i>\1</i>", h)
    h = re.sub(r"(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?!\w)", r"<i>\1</i>", h)
    h = re.sub(r"~~(.+?)~~", r"<s>\1</s>", h)
    lines = []
    for ln in h.split("\n"):
        if ln.startswith("&gt; "):
            ln = f"<blockquote>{ln[5:]}</blockquote>"
        elif ln.startswith("-# "):
            ln = f'<span class="sub">{ln[3:]}</span>'
        elif re.match(r"#{1,3} ", ln):
            k = len(ln.split(" ")[0])
            ln = f"<h{k}>{ln[k + 1:]}</h{k}>"
        elif re.match(r"[-*] ", ln):
            ln = "&nbsp;• " + ln[2:]
        lines.append(ln)
    h = "\n".join(lines)
    return re.sub(r"\x00(\d+)\x00", lambda m: blocks[int(m.group(1))], h)


def colour(c) -> str:
    return f"#{int(c):06x}" if isinstance(c, int) else "#1e1f22"


def att_url(url: str, files: dict, base: str) -> str:
    if url and url.startswith("attachment://"):
        f = files.get(url[len("attachment://"):])
        return os.path.join(base, f) if f else ""
    return ""


def embed(e: dict, files: dict, base: str, names: Names) -> str:
    out = [f'<div class="embed" style="border-left-color:{colour(e.get("color"))}">']
    th = att_url((e.get("thumbnail") or {}).get("url", ""), files, base)
    if th:
        out.append(f'<img class="thumb" src="file://{th}">')
    if e.get("author"):
        out.append(f'<div class="e-author">{html.escape(e["author"].get("name", ""))}</div>')
    if e.get("title"):
        out.append(f'<div class="e-title">{md(e["title"], names)}</div>')
    if e.get("description"):
        out.append(f'<div class="e-desc">{md(e["description"], names)}</div>')
    fields = e.get("fields") or []
    if fields:
        out.append('<div class="e-fields">')
        i = 0
        while i < len(fields):
            if fields[i].get("inline"):
                run = [fields[i]]
                while i + len(run) < len(fields) and fields[i + len(run)].get("inline") and len(run) < 3:
                    run.append(fields[i + len(run)])
                span = 12 // len(run)
                for f in run:
                    out.append(f'<div class="e-field" style="grid-column:span {span}"><div class="n">{md(f.get("name", ""), names)}'
                               f'</div><div class="v">{md(f.get("value", ""), names)}</div></div>')
                i += len(run)
            else:
                f = fields[i]
                out.append(f'<div class="e-field" style="grid-column:span 12"><div class="n">{md(f.get("name", ""), names)}'
                           f'</div><div class="v">{md(f.get("value", ""), names)}</div></div>')
                i += 1
        out.append("</div>")
    im = att_url((e.get("image") or {}).get("url", ""), files, base)
    if im:
        out.append(f'<img class="e-img" src="file://{im}">')
    foot = (e.get("footer") or {}).get("text", "")
    stamp = e.get("timestamp")
    if foot or stamp:
        s = ""
        if stamp:
            try:
                s = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).strftime("%d/%m/%Y %H:%M")
            except ValueError:
                s = stamp
        out.append(f'<div class="e-foot">{html.escape(foot)}{" • " if foot and s else ""}{s}</div>')
    out.append("</div>")
    return "".join(out)


def components(comps: list, names: Names) -> str:
    out = []
    for c in comps or []:
        t = c.get("type")
        if t == 1:
            out.append('<div class="row">' + components(c.get("components"), names) + "</div>")
        elif t == 2:
            em = c.get("emoji") or {}
            lab = (em.get("name", "") + " " if em else "") + (c.get("label") or "")
            out.append(f'<span class="btn s{c.get("style", 2)}{" dis" if c.get("disabled") else ""}">{html.escape(lab)}'
                       f'{" ↗" if c.get("style") == 5 else ""}</span>')
        elif t in (3, 5, 6, 7, 8):
            out.append(f'<div class="select">{html.escape(c.get("placeholder") or "Make a selection")} ▾</div>')
        elif t == 10:
            out.append(f'<div class="content">{md(c.get("content", ""), names)}</div>')
        elif t in (17, 9):
            out.append('<div class="embed">' + components(c.get("components"), names) + "</div>")
    return "".join(out)


def message(m: dict, base: str, names: Names, who: str = "Outpost") -> str:
    d, files = m["data"], m.get("files", {})
    used = set()
    for e in d.get("embeds") or []:
        for k in ("image", "thumbnail"):
            u = (e.get(k) or {}).get("url", "")
            if u.startswith("attachment://"):
                used.add(u[13:])
    parts = [f'<div class="msg"><div class="avatar">O</div><div class="body"><div class="head">{who}'
             f'<span class="tag">APP</span><span class="time">Today at 12:00{" (edited)" if m.get("edits") else ""}</span></div>']
    if d.get("content"):
        parts.append(f'<div class="content">{md(d["content"], names)}</div>')
    for e in d.get("embeds") or []:
        parts.append(embed(e, files, base, names))
    for name, path in files.items():
        if name not in used and name.lower().endswith((".png", ".jpg", ".gif")):
            parts.append(f'<img class="att" src="file://{os.path.join(base, path)}">')
        elif name not in used:
            parts.append(f'<div class="embed">📎 {html.escape(name)}</div>')
    parts.append(components(d.get("components"), names))
    if m.get("ephemeral"):
        parts.append('<div class="eph"></div>')
    parts.append("</div></div>")
    return "".join(parts)


def scene(s: dict, base: str, names: Names) -> str:
    out = [f'<div class="scene"><div class="scene-title">{html.escape(s["title"])}</div>']
    if s["kind"] == "note":
        out.append(f'<div class="note">{html.escape(s.get("text", ""))}</div>')
    if s.get("who"):
        out.append(f'<div class="cmd"><b>{html.escape(s["who"])}</b> used <b>{html.escape(s["title"].split(" (")[0])}</b></div>')
    for m in s.get("messages", []):
        out.append(message(m, base, names))
    if s.get("modal"):
        mo = s["modal"]
        out.append(f'<div class="modal"><div class="t">{html.escape(mo.get("title", ""))}</div>')
        for row in mo.get("components", []):
            for c in row.get("components", []) if row.get("type") == 1 else [row.get("component", row)]:
                out.append(f'<div class="lab">{html.escape(c.get("label", ""))}</div>'
                           f'<div class="inp">{html.escape(c.get("placeholder") or "")}</div>')
        out.append("</div>")
    out.append("</div>")
    return "".join(out)


def main(out: str, per_page: int = 6) -> None:
    d = json.load(open(os.path.join(out, "scenes.json")))
    if isinstance(d, list):
        d = {"scenes": [{"kind": "channel", "title": "messages",
                         "messages": [m if "data" in m else {"data": m, "files": {}} for m in d]}]}
    names = Names(d.get("names", {}))
    scenes = d["scenes"]
    pages = [scenes[i:i + per_page] for i in range(0, len(scenes), per_page)]
    for k, group in enumerate(pages):
        body = "".join(scene(s, out, names) for s in group)
        p = os.path.join(out, f"page-{k}.html")
        with open(p, "w") as f:
            f.write(f"<!doctype html><meta charset=utf-8><style>{CSS}</style><body>{body}</body>")
        png = os.path.join(out, f"page-{k}.png")
        subprocess.run(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--allow-file-access-from-files", f"--screenshot={png}", "--window-size=1010,2600",
                        f"file://{p}"], capture_output=True, timeout=90)
        print(png, os.path.exists(png))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 6)
