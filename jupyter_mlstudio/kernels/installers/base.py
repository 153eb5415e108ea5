"""The installer interface: what a kind of kernel declares and how it builds one."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from traitlets import Unicode
from traitlets.config import LoggingConfigurable

from ..errors import KernelsError

if TYPE_CHECKING:
    from ..context import InstallContext

OPTION_TYPES = ("string", "text", "list", "choice", "bool")
MAX_TEXT = 100_000  # characters of one string option (a requirements.txt fits)
MAX_ITEMS = 1000  # items of a list option
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # tab is fine
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Option:
    """One install option, as the API lists it (the front end builds its form from these)."""

    name: str
    type: str  # one of OPTION_TYPES; "list" is a list of strings, "text" a multi-line string
    help: str
    default: Any = None
    choices: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def coerce(self, value: Any) -> Any:
        """``value`` in this option's type, or a 400 naming the option."""
        def bad(expected: str) -> KernelsError:
            return KernelsError(400, f"option '{self.name}' must be {expected}", "InvalidOption")

        if value is None:
            return self.default
        if self.type in ("string", "text"):
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                raise bad(f"a string of at most {MAX_TEXT} characters")
            # Text may span lines; nothing may hold other control characters.
            if (_CONTROL if self.type == "string" else _CONTROL_BUT_LINES).search(value):
                raise bad("free of control characters")
            return value.strip() if self.type == "string" else value
        if self.type == "list":
            if isinstance(value, str):  # one per line, as typed in a form
                value = value.splitlines()
            if not isinstance(value, list) or len(value) > MAX_ITEMS or not all(
                    isinstance(v, str) and len(v) <= MAX_TEXT for v in value):
                raise bad(f"a list of at most {MAX_ITEMS} strings")
            if any(_CONTROL.search(v) for v in value):
                raise bad("a list of strings free of control characters")
            return [v.strip() for v in value if v.strip()]
        if self.type == "bool":
            if not isinstance(value, bool):
                raise bad("true or false")
            return value
        if value not in self.choices:
            raise bad("one of " + ", ".join(repr(c) for c in self.choices))
        return value


@dataclass
class Availability:
    available: bool
    message: str


class KernelInstaller(LoggingConfigurable):
    """Base of the installers; one subclass per kind ("r", "scala", "python", …).

    An installer builds everything a kernel needs into ``ctx.env`` (a folder that does not
    exist yet and is kept) and writes the kernelspec (``kernel.json`` and resources) into
    ``ctx.spec_dir``; the service registers it, or rolls everything back on failure.
    Subclasses are found through the ``jupyter_mlstudio.kernel_installers`` entry points
    or ``c.KernelsApp.installer_classes``; configure them as ``c.<ClassName>.<trait>``.
    """

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""  # what people call it: "R", "Scala", "Python environment"
    language: ClassVar[str] = ""
    description: ClassVar[str] = ""

    default_name = Unicode("", config=True, help="Kernel name used when a request gives none.")
    default_display_name = Unicode(
        "", config=True, help="Display name used when a request gives none."
    )

    def options(self) -> list[Option]:
        """The kind's own install options (besides name, display_name and replace)."""
        return []

    def availability(self) -> Availability:
        """Whether this machine can install the kind, cheaply (it is asked on every listing)."""
        return Availability(True, "")

    def validate_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """Options coerced to their types with defaults filled in; a 400 for unknown ones."""
        known = {o.name: o for o in self.options()}
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise KernelsError(400, f"unknown option(s) for kind '{self.kind}': "
                               f"{', '.join(unknown)} (known: {', '.join(known) or 'none'})",
                               "InvalidOption")
        return {name: opt.coerce(options.get(name)) for name, opt in known.items()}

    def precheck(self, options: dict[str, Any]) -> None:
        """Refuse at once (a 424 naming what to install) what cannot work on this machine."""
        avail = self.availability()
        if not avail.available:
            raise KernelsError(424, avail.message, "MissingDependency")

    def name_for(self, options: dict[str, Any]) -> str:
        return self.default_name or self.kind

    def display_name_for(self, options: dict[str, Any]) -> str:
        return self.default_display_name or self.label or self.kind

    async def install(self, ctx: "InstallContext") -> None:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        avail = self.availability()
        return {
            "kind": self.kind,
            "label": self.label,
            "language": self.language,
            "description": self.description,
            "available": avail.available,
            "message": avail.message,
            "default_name": self.name_for({}),
            "default_display_name": self.display_name_for({}),
            "options": [o.to_dict() for o in self.options()],
        }
