"""The live view's served folder: its index.html preloads every module the first picture needs, so the browser
fetches them in one round trip instead of discovering them a level at a time."""

from __future__ import annotations

import re

from playground import live_view
from playground.live_view import module_graph, with_module_preloads


def test_the_module_graph_follows_nested_static_imports_and_skips_dynamic_ones(tmp_path):
    (tmp_path / "panels").mkdir()
    (tmp_path / "main.js").write_text(
        'import { a } from "./a.js";\nimport "./panels/p.js";\nconst lazy = () => import("./lazy.js");\n'
        "export { b } from './b.js';\n// see ./comment.js\n"
    )
    (tmp_path / "a.js").write_text('import { c } from "./panels/c.js";\nexport const a = 1;\n')
    (tmp_path / "b.js").write_text("export const b = 2;\n")
    (tmp_path / "panels" / "p.js").write_text('import {\n  a,\n} from "../a.js";\n')
    (tmp_path / "panels" / "c.js").write_text("export const c = 3;\n")
    assert module_graph(tmp_path, "main.js") == ["a.js", "b.js", "panels/c.js", "panels/p.js"]


def test_the_real_entry_imports_the_panels_and_their_helpers_but_not_plotly():
    modules = module_graph(live_view._FRONTEND, "main.js")
    assert {"forward.js", "colour.js", "panels/field.js", "panels/common.js", "panels/network.js"} <= set(modules)
    assert "panels/plotly.js" not in modules  # loaded only for scenes that need Plotly
    assert all((live_view._FRONTEND / name).is_file() for name in modules)


def test_the_preload_links_go_in_the_head_once_each():
    html = '<!doctype html>\n<html>\n<head>\n  <meta charset="utf-8">\n  <title>t</title>\n</head>\n<body></body>\n'
    out = with_module_preloads(html, ["main.js", "panels/field.js"])
    assert out.count('rel="modulepreload"') == 2
    assert out.index('href="panels/field.js"') < out.index("<title>") < out.index("</head>")


def test_the_served_index_preloads_every_module_main_imports(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = live_view.asset_dir.__wrapped__()
    html = (folder / "index.html").read_text(encoding="utf-8")
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)">', html)
    assert sorted(preloaded) == sorted(["main.js", *module_graph(live_view._FRONTEND, "main.js")])
    assert all((folder / name).is_file() for name in preloaded)
