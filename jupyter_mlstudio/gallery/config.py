"""``c.Gallery.*``: where examples come from and who reviews them."""
from __future__ import annotations

from traitlets import Dict, Float, Int, List, Unicode
from traitlets.config import Configurable


class Gallery(Configurable):
    """Settings of the example gallery."""

    sources = List(
        Dict(),
        config=True,
        help="""Example sources, listed in this order. Each is a dict with "name", "kind"
        and the kind's settings:
          {"name": "builtin", "kind": "package"}  - the notebooks shipped with the package
          {"name": "team", "kind": "directory", "path": "/srv/examples", "reviewed": true}
          {"name": "submissions", "kind": "directory", "path": "/srv/submissions",
           "reviewed": false, "writable": true}   - where users share notebooks
          {"name": "s3", "kind": "s3", "uri": "s3://bucket/examples/", "reviewed": true}
        "kind" may also be a dotted path to an ExampleSource subclass, or the name of an
        entry point in the group jupyter_mlstudio.example_sources. Default: builtin, a
        reviewed and an unreviewed directory under <data_dir>/examples.""",
    )
    reviewers = List(
        Unicode(),
        config=True,
        help="User names allowed to approve, reject or delete any submission. "
        "Empty: everyone.",
    )
    workspace_folder = Unicode(
        "examples", config=True, help="Default workspace folder that 'Use' copies into."
    )
    max_notebook_bytes = Int(
        20 * 1024 * 1024,
        config=True,
        help="Larger notebooks are listed as invalid and never parsed or previewed.",
    )
    cell_timeout = Float(
        120.0, config=True, help="Seconds one cell may run during validation."
    )
    notebook_timeout = Float(
        900.0, config=True, help="Seconds one example may run in all during validation."
    )
