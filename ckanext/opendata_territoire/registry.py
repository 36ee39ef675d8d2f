"""Registration where a thing is defined, in the manner of ckanext-scheming's
``@helper`` and ``@register_validator``.

Each feature marks its actions, auth functions, template helpers and
validators where it defines them::

    from ckanext.opendata_territoire import registry

    @registry.action
    @tk.side_effect_free
    def territoire_thing_show(context, data_dict): ...

    @registry.auth("territoire_thing_show", "territoire_thing_list")
    def _anyone(context, data_dict): ...

A bare decorator registers the function under its own name; with names, it
registers it under each of them (one rule shared by several actions). Put it
on top of the other decorators (``tk.side_effect_free``,
``tk.chained_action``, ...), so that what is registered is the function as
they leave it. A name registered twice is refused.

The plugin imports the modules that register something (the list is
``logic.FEATURE_MODULES``) and hands CKAN what they registered. The chained
ckanext-harvest actions and auth functions (``harvest_action``,
``harvest_auth``) are registered by the harvester plugins instead, which load
only beside ckanext-harvest. This module imports no feature."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, overload

F = TypeVar("F", bound=Callable[..., Any])


class Registry:
    """The functions of one kind (actions, auth functions...), by name."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.found: dict[str, Callable[..., Any]] = {}

    @overload
    def __call__(self, func: F, /) -> F: ...

    @overload
    def __call__(self, *names: str) -> Callable[[F], F]: ...

    def __call__(self, *args: Any) -> Any:
        if len(args) == 1 and callable(args[0]):
            func = args[0]
            return self._add((func.__name__,), func)
        if not args or not all(isinstance(name, str) and name for name in args):
            raise TypeError(
                f"@registry.{self.kind}: use it bare, or give it the names "
                f"to register the function under (got {args!r})"
            )
        names: tuple[str, ...] = args
        return lambda func: self._add(names, func)

    def _add(self, names: tuple[str, ...], func: F) -> F:
        for name in names:
            known = self.found.get(name)
            if known is not None and _where(known) != _where(func):
                raise ValueError(
                    f"{self.kind} {name!r} is registered twice: by "
                    f"{_where(known)} and by {_where(func)}"
                )
            # The same definition again (a module imported anew) replaces it.
            self.found[name] = func
        return func

    def registered(self) -> dict[str, Callable[..., Any]]:
        """A copy of what is registered, for the plugin to hand to CKAN."""
        return dict(self.found)


def _where(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{getattr(func, '__qualname__', func)}"


action = Registry("action")
auth = Registry("auth")
helper = Registry("helper")
validator = Registry("validator")
# Registered by the harvester plugins (decp/harvester.py, datagouv/harvester.py).
harvest_action = Registry("harvest_action")
harvest_auth = Registry("harvest_auth")

KINDS = {
    registry.kind: registry
    for registry in (action, auth, helper, validator, harvest_action, harvest_auth)
}
