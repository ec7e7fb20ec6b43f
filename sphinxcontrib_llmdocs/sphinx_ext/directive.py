"""The ``llmdocs-page`` directive: rendered page markdown, through MyST-Parser, into docutils nodes.

The directive only reads: all model calls happened at ``builder-inited``, so parallel reading is safe.
"""

from __future__ import annotations

from docutils import nodes
from docutils.utils import new_document
from myst_parser.parsers.sphinx_ import MystParser
from sphinx.util.docutils import SphinxDirective

from sphinxcontrib_llmdocs.sphinx_ext.env import artifact_path
from sphinxcontrib_llmdocs.sphinx_ext.warnings import LlmdocsWarning, warn

__all__ = ["LlmdocsPageDirective"]


class LlmdocsPageDirective(SphinxDirective):
    """Insert the generated page named by the argument (its page id) at this point of the document."""

    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = False
    has_content = False

    def run(self) -> list[nodes.Node]:
        page_id = self.arguments[0]
        path = artifact_path(self.env.doctreedir, self.env.docname)
        self.env.note_dependency(str(path))
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            warn(
                LlmdocsWarning.page,
                f"generated page {page_id!r} is missing ({exc}); run a full build to regenerate it",
                location=(self.env.docname, self.lineno),
            )
            return []
        document = self.state.document
        sub = new_document(document["source"], document.settings)
        MystParser().parse(text, sub)
        # The nodes move into this document: carry their ids and names so references and the
        # table of contents find them.
        for node in sub.findall(nodes.Element):
            for node_id in node["ids"]:
                document.ids.setdefault(node_id, node)
        for name, node_id in sub.nameids.items():
            document.nameids.setdefault(name, node_id)
            document.nametypes.setdefault(name, sub.nametypes.get(name, False))
        return list(sub.children)
