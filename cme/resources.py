"""Shipped defaults and the search path a site overrides them through.

The form templates, kind rules, letters and calendars ship inside the package
(``cme/shipped``). A site may hold its own copies of some of them: a search
path looks in the site's folder first and then in the shipped copy, so a site
can override one letter without copying the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

SHIPPED = Path(str(resources.files("cme.shipped")))
SHIPPED_TEMPLATES = SHIPPED / "templates"
SHIPPED_CALENDAR = SHIPPED / "calendars" / "oxfordshire.toml"
# The synthetic sample emails (all invented), with what each should read as:
# ``cme seed-samples`` delivers them, and the shipped templates test on them.
SAMPLES = SHIPPED / "samples"


@dataclass(frozen=True)
class SearchPath:
    """Folders looked in first to last; the last is the shipped copy."""

    folders: tuple[Path, ...]

    @classmethod
    def for_site(cls, site: Path | None) -> SearchPath:
        if site is None or site.resolve() == SHIPPED_TEMPLATES.resolve():
            return cls((SHIPPED_TEMPLATES,))
        return cls((site, SHIPPED_TEMPLATES))

    @classmethod
    def of(cls, where: Path | SearchPath) -> SearchPath:
        """A plain folder is a search path of one."""
        return where if isinstance(where, SearchPath) else cls((Path(where),))

    def sub(self, name: str) -> SearchPath:
        """The same search path one folder down (``letters``, ``forms``)."""
        return SearchPath(tuple(folder / name for folder in self.folders))

    def file(self, relative: str) -> Path:
        """The first copy of ``relative``; the site's would-be path when none exists."""
        for folder in self.folders:
            candidate = folder / relative
            if candidate.is_file():
                return candidate
        return self.folders[-1] / relative

    def files(self, pattern: str) -> list[Path]:
        """Every file matching ``pattern``, the first copy of each name."""
        chosen: dict[str, Path] = {}
        for folder in self.folders:
            for path in sorted(folder.glob(pattern)):
                chosen.setdefault(path.name, path)
        return [chosen[name] for name in sorted(chosen)]

    def origin(self, path: Path) -> str:
        """``site`` or ``shipped``: which copy a file came from."""
        shipped = path.resolve().is_relative_to(SHIPPED.resolve())
        return "shipped" if shipped else "site"
