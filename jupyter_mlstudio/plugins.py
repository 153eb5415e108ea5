"""Pluggable classes, chosen the way JupyterHub chooses its Spawner: a class, its dotted
path, or the name of an entry point of the plugin's group (:class:`EntryPointType`)."""
from __future__ import annotations

import logging
from importlib import import_module
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from traitlets import TraitError, Type, Undefined

log = logging.getLogger(__name__)


def installed(group: str) -> dict[str, EntryPoint]:
    """The entry points of ``group`` installed in this Python, by name."""
    return {ep.name: ep for ep in entry_points(group=group)}


def _names(group: str) -> str:
    return ", ".join(sorted(installed(group))) or "none"


def load_class(value: str, klass: type, group: str) -> type:
    """The ``klass`` subclass that ``value`` names: an entry point of ``group``, else a
    dotted path (``mypackage.module.Class``); ValueError listing the installed names when
    it names neither."""
    found = installed(group).get(value)
    where = f"entry point {value!r} of {group}"
    try:
        if found is not None:
            cls = found.load()
        elif "." in value:
            where = repr(value)
            module, _, attribute = value.rpartition(".")
            cls = getattr(import_module(module), attribute)
        else:
            raise ValueError(f"{value!r} is neither an entry point of {group} (installed: "
                             f"{_names(group)}) nor a dotted class path")
    except (ImportError, AttributeError) as err:
        raise ValueError(f"{where} cannot be loaded ({err}); installed entry points of "
                         f"{group}: {_names(group)}") from None
    if not (isinstance(cls, type) and issubclass(cls, klass)):
        raise ValueError(f"{where} is {cls!r}, not a subclass of {klass.__name__}")
    return cls


def load_installed(group: str, klass: type, logger: Any = None) -> dict[str, type]:
    """The ``klass`` subclasses of ``group``'s entry points, by name; one that fails to load
    or is not such a class is logged and left out (a plugin must not break the server)."""
    logger = logger or log
    found: dict[str, type] = {}
    for name in sorted(installed(group)):
        try:
            found[name] = load_class(name, klass, group)
        except Exception as err:
            logger.warning("plugin %s left out: %s", name, err)
    return found


class EntryPointType(Type):
    """A :class:`traitlets.Type` that also takes the name of an entry point of ``group``.

    Its help ends with the names installed, so ``--help-all`` shows what may be chosen.
    """

    def __init__(self, default_value: Any = Undefined, klass: Any = None, *, group: str,
                 **kwargs: Any) -> None:
        self.group = group
        self._listing = False  # not while the class is defined: a scan of every package
        super().__init__(default_value, klass, **kwargs)
        self._listing = True

    @property
    def help(self) -> str:
        if not self._listing:
            return self._help
        listing = ", ".join(f"{name} ({ep.value})" for name, ep in
                            sorted(installed(self.group).items())) or "none"
        return f"{self._help} Installed in {self.group}: {listing}."

    @help.setter
    def help(self, value: str) -> None:
        self._help = value

    def validate(self, obj: Any, value: Any) -> Any:
        if isinstance(value, str):
            # klass may itself be given as a dotted path, as traitlets allows
            klass = (self.klass if isinstance(self.klass, type)
                     else self._resolve_string(self.klass))
            try:
                value = load_class(value, klass, self.group)
            except ValueError as err:
                raise TraitError(f"The '{self.name}' trait of {type(obj).__name__}: "
                                 f"{err}") from None
        return super().validate(obj, value)
