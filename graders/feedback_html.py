"""What nbgrader's feedback page shows, made fit for the student: their code and the message, offline.

`tidy` rewrites the whole page: each error output of a test cell loses the hidden-test lines (from
`### BEGIN HIDDEN TESTS` on) and every frame below the hidden call (the judge client's), its end
cleaned by graders/student_text.py; MathJax, which nbgrader loads from a CDN, is replaced by MathML converted here (latex2mathml; browsers render MathML
natively); and the page fits narrow windows (code and tracebacks wrap).
"""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert as tex_to_mathml

from .student_text import LIBRARY as _LIBRARY, scrub as _scrub, student_text  # the end of each traceback

# -- tracebacks in error outputs ---------------------------------------------------------------------

_ERROR_PRE = re.compile(r'(<div class="output_subarea output_text output_(?:error|stderr)">\s*<pre>)(.*?)(</pre>)', re.S)
_FRAME = re.compile(r"^(Cell In\[\d+\]|File \S|Input In \[)")
_BODY = re.compile(r"^(\s|-*>|$)")
_SKIPPED = re.compile(r"^\s*\[\.\.\. skipping hidden \d+ frame")
_ARROW = re.compile(r"^-*>")


def _text(line: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", line))


def _balanced(line: str) -> bool:
    return line.count("<span") == line.count("</span>")


def _frame(lines: list[str]) -> tuple[list[str], bool]:
    """One frame (header, source lines) without hidden-test lines; and whether the error came from them."""
    texts = [_text(ln) for ln in lines]
    markers = [t for t in texts if "### BEGIN HIDDEN TESTS" in t or "### END HIDDEN TESTS" in t]
    inside = bool(markers) and "END" in markers[0]  # the BEGIN line is above the lines IPython shows
    hidden = set()
    for i, t in enumerate(texts[1:], 1):
        if "### BEGIN HIDDEN TESTS" in t:
            inside = True
        if inside:
            hidden.add(i)
        if "### END HIDDEN TESTS" in t:
            inside = False
    from_hidden = any(_ARROW.match(texts[i]) for i in hidden)
    kept = [ln for i, ln in enumerate(lines) if i not in hidden]
    if from_hidden:
        kept[0] = re.sub(r", line \d+", "", kept[0])
        at = max((i for i, t in enumerate(kept) if t.strip()), default=0) + 1
        kept.insert(at, '<span class="ansi-green-fg">----&gt; </span><i>the hidden check (its code is not shown)</i>')
    return kept, from_hidden


def _plumbing(header: str) -> bool:
    text = _text(header)
    return not text.startswith("Cell In[") and not _LIBRARY.search(text)


def clean_traceback(body: str) -> str:
    """The HTML inside an error output's <pre>: the student's frames and the error, no plumbing."""
    lines = body.split("\n")
    if not all(_balanced(ln) for ln in lines):  # a colour spanning lines: work on the plain text
        lines = [html.escape(ln, quote=False) for ln in _text(body).split("\n")]
    out, text_run, below_hidden, i = [], [], False, 0

    def flush():
        if text_run:
            plain = student_text("\n".join(_text(ln) for ln in text_run))
            out.extend(text_run if plain == "\n".join(_text(ln) for ln in text_run)
                       else [re.sub(r"^(\w[\w.]*)(:|$)", r'<span class="ansi-red-fg">\1</span>\2', html.escape(ln, quote=False))
                             for ln in plain.split("\n")])
            text_run.clear()

    while i < len(lines):
        text = _text(lines[i])
        if _SKIPPED.match(text):
            i += 1
            continue
        if not _FRAME.match(text):
            if text.startswith("-" * 20):  # a chained exception's own header: its frames are judged afresh
                below_hidden = False
            text_run.append(lines[i])
            i += 1
            continue
        flush()
        j = i + 1
        while j < len(lines) and _BODY.match(_text(lines[j])) and not _SKIPPED.match(_text(lines[j])):
            j += 1
        frame = lines[i:j]
        if not below_hidden and not _plumbing(frame[0]):
            frame, from_hidden = _frame(frame)
            below_hidden = below_hidden or from_hidden
            frame[0] = _LIBRARY.sub("", frame[0])
            out.extend(frame)
        i = j
    flush()
    return re.sub(r"\n{3,}", "\n\n", _scrub("\n".join(out)))


# -- math, offline ------------------------------------------------------------------------------------

_MATHJAX = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->"
                      r"|<script[^>]*mathjax[^>]*>.*?</script>", re.S | re.I)
_MARKDOWN = re.compile(r'(<div class="text_cell_render[^"]*">)(.*?)(</div>)', re.S)
_CODE = re.compile(r"(<(code|pre)\b.*?</\2>)", re.S)
_TEX = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|(?<![\\$])\$(?!\s)([^$\n]+?)(?<![\s\\])\$|\\\((.+?)\\\)", re.S)


def _mathml(m: re.Match) -> str:
    block = m.group(1) or m.group(2)
    try:
        rendered = tex_to_mathml(html.unescape(block or m.group(3) or m.group(4)), display="block" if block else "inline")
    except Exception:  # TeX latex2mathml does not know: shown as written
        return m.group(0)
    return rendered.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "")


def render_math(markdown_html: str) -> str:
    """TeX in rendered markdown ($...$, $$...$$, \\(...\\), \\[...\\]) as MathML, code spans left alone."""
    parts = _CODE.split(markdown_html)
    # split() with two groups yields [text, code, tag name, text, ...]
    return "".join(_TEX.sub(_mathml, p) if k % 3 == 0 else p if k % 3 == 1 else "" for k, p in enumerate(parts))


STYLE = """<style id="llmt-feedback">
  .container, #notebook-container { width: auto !important; max-width: 100%; }
  div.output_area pre, div.input_area pre { white-space: pre-wrap; overflow-wrap: anywhere; }
  #llmt-summary table { max-width: calc(100% - 4em); }
  #llmt-summary pre { overflow-wrap: anywhere; }
  #llmt-summary td:nth-child(-n+2), #llmt-summary th { white-space: nowrap; }
  div.output_area img, div.rendered_html img { max-width: 100%; height: auto; }
  div.output_wrapper:not(:has(.output_area)) { display: none; }
  math[display="block"] { margin: 0.5em 0; font-size: 1.15em; }
</style>"""


def tidy(page: str) -> str:
    """nbgrader's feedback page as the student should get it (see the module's docstring)."""
    page = _ERROR_PRE.sub(lambda m: m.group(1) + clean_traceback(m.group(2)) + m.group(3), page)
    page = _MARKDOWN.sub(lambda m: m.group(1) + render_math(m.group(2)) + m.group(3), page)
    page = _MATHJAX.sub("", page)
    return page.replace("</head>", STYLE + "\n</head>", 1) if "</head>" in page else STYLE + page
